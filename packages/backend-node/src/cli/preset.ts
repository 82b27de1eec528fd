import type { StateDict } from '@difbfsr/models';

/**
 * Preset name for a state dict via `detectPreset` of `@difbfsr/models` when that exists
 * (looked up at run time so the CLI does not depend on the presets module), else `'unknown'`.
 */
export async function detectPresetName(sd: StateDict): Promise<string> {
  const models = (await import('@difbfsr/models')) as Record<string, unknown>;
  const detect = models.detectPreset;
  if (typeof detect !== 'function') return 'unknown';
  try {
    const r: unknown = await (detect as (s: StateDict) => unknown)(sd);
    if (typeof r === 'string' && r) return r;
    if (r && typeof r === 'object') {
      const o = r as { name?: unknown; id?: unknown; preset?: unknown };
      for (const v of [o.name, o.id, o.preset]) if (typeof v === 'string' && v) return v;
    }
    return 'unknown';
  } catch {
    return 'unknown';
  }
}
