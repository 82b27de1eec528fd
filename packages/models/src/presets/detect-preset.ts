import { unetTensorList } from '../unet/tensor-list.js';
import type { UNetPreset } from './preset.js';
import { UNET_PRESETS } from './registry.js';

/** Anything that lists tensor names and shapes, such as a loaded `StateDict`. */
export interface TensorShapeSource {
  names(): string[];
  get(name: string): { readonly shape: readonly number[] };
}

const shapeKey = (shape: readonly number[]): string => shape.join(',');
let expectedByPreset: Map<UNetPreset, Map<string, string>> | undefined;

function expectedShapes(preset: UNetPreset): Map<string, string> {
  expectedByPreset ??= new Map();
  let shapes = expectedByPreset.get(preset);
  if (!shapes) {
    shapes = new Map(unetTensorList(preset.config).map(([n, s]) => [n, shapeKey(s)]));
    expectedByPreset.set(preset, shapes);
  }
  return shapes;
}

/**
 * The preset whose architecture has exactly the tensors (names and shapes) of `checkpoint`, or
 * `undefined` when none does. Needs no tensor data.
 */
export function detectPreset(checkpoint: TensorShapeSource, presets: readonly UNetPreset[] = UNET_PRESETS): UNetPreset | undefined {
  const names = checkpoint.names();
  return presets.find((preset) => {
    const expected = expectedShapes(preset);
    return (
      names.length === expected.size &&
      names.every((n) => expected.get(n) === shapeKey(checkpoint.get(n).shape))
    );
  });
}
