import { DifbfsrError } from '../errors.js';

/** Python 3's `round()`: round half to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Which original timesteps a respaced chain keeps, with guided-diffusion's `space_timesteps` semantics.
 *
 * - `"ddimN"`: `range(0, T, stride)` for the first stride that yields exactly N steps.
 * - `"250"` or `"25,25"`: split `[0, T)` into equal sections and take evenly strided steps in each
 *   (fractional stride, Python rounding).
 *
 * @returns the kept timesteps, ascending.
 */
export function spaceTimesteps(numTimesteps: number, spec: string | readonly number[]): number[] {
  let counts: number[];
  if (typeof spec === 'string') {
    const s = spec.trim();
    if (s.startsWith('ddim')) {
      const desired = Number(s.slice(4));
      if (!Number.isInteger(desired) || desired < 1) {
        throw new DifbfsrError('INVALID_OPTION', `Invalid respacing "${spec}": expected "ddimN" with N a positive integer`);
      }
      for (let stride = 1; stride < numTimesteps; stride++) {
        if (Math.ceil(numTimesteps / stride) === desired) {
          const steps: number[] = [];
          for (let t = 0; t < numTimesteps; t += stride) steps.push(t);
          return steps;
        }
      }
      throw new DifbfsrError('INVALID_OPTION', `Cannot create exactly ${desired} steps with an integer stride over ${numTimesteps}`);
    }
    counts = s.split(',').map((part) => Number(part.trim()));
  } else {
    counts = [...spec];
  }
  if (counts.length === 0 || counts.some((c) => !Number.isInteger(c) || c < 0)) {
    throw new DifbfsrError('INVALID_OPTION', `Invalid respacing ${JSON.stringify(spec)}: expected e.g. "250", "25,25" or "ddim100"`);
  }
  const sizePer = Math.floor(numTimesteps / counts.length);
  const extra = numTimesteps % counts.length;
  const taken = new Set<number>();
  let startIdx = 0;
  counts.forEach((count, i) => {
    const size = sizePer + (i < extra ? 1 : 0);
    if (size < count) {
      throw new DifbfsrError('INVALID_OPTION', `Cannot divide a section of ${size} steps into ${count}`);
    }
    const fracStride = count <= 1 ? 1 : (size - 1) / (count - 1);
    let cur = 0;
    for (let j = 0; j < count; j++) {
      taken.add(startIdx + roundHalfEven(cur));
      cur += fracStride;
    }
    startIdx += size;
  });
  return [...taken].sort((a, b) => a - b);
}
