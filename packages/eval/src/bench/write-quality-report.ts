import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePng, readRgb } from '../image-file.js';
import type { RgbImage } from '../image.js';
import { benchPaths } from './bench-paths.js';
import { composeGrid, upscaleNearest } from './image-grid.js';
import type { QualityRecord } from './quality-record.js';
import { readRecords } from './results-file.js';
import { summarise, type QualityReport } from './summary.js';
import { reportMarkdown } from './report-markdown.js';

/** What {@link writeQualityReport} reads and writes. */
export interface QualityReportConfig {
  readonly outDir: string;
  /** Folder of the clean HR faces, for the grids' ground-truth column (left grey when missing). */
  readonly hrDir: string;
  /** Faces in the grids' row order (those with every image are taken). */
  readonly faces: readonly string[];
  /** Rows per grid. Default 8. */
  readonly gridFaces?: number;
  /** The command line, quoted in the report. */
  readonly command: string;
}

async function readIfExists(path: string): Promise<RgbImage | undefined> {
  return existsSync(path) ? readRgb(path) : undefined;
}

/**
 * One grid per tag and case: rows are faces, columns the LR input (nearest-upscaled), each
 * method's output, and the clean face.
 */
async function writeGrids(config: QualityReportConfig, records: readonly QualityRecord[], report: QualityReport): Promise<string[]> {
  const written: string[] = [];
  for (const tag of report.tags) {
    const columns = tag.overall.map((m) => ({ method: m.method, hash: m.settingsHash }));
    if (columns.length === 0) continue;
    for (const c of tag.cases) {
      const have = new Set(records.filter((r) => r.tag === tag.tag && r.case === c).map((r) => `${r.face}|${r.method}|${r.settingsHash}`));
      const faces = config.faces.filter((f) => columns.every((col) => have.has(`${f}|${col.method}|${col.hash}`))).slice(0, config.gridFaces ?? 8);
      if (faces.length === 0) continue;
      const rows: (RgbImage | undefined)[][] = [];
      for (const face of faces) {
        const outputs = await Promise.all(columns.map((col) => readIfExists(benchPaths.output(config.outDir, tag.tag, col.method, col.hash, face, c))));
        const size = outputs.find((o) => o)?.width ?? 0;
        const lr = await readIfExists(benchPaths.lr(config.outDir, face, c));
        rows.push([lr && size ? upscaleNearest(lr, size) : undefined, ...outputs, await readIfExists(join(config.hrDir, face))]);
      }
      const path = benchPaths.grid(config.outDir, tag.tag, c);
      writeFileSync(path, await encodePng(composeGrid(rows)));
      written.push(path);
    }
  }
  return written;
}

/**
 * Summarise every record in the output folder's results file (all shards) into report.json,
 * report.md and the image grids.
 */
export async function writeQualityReport(config: QualityReportConfig): Promise<{ report: QualityReport; markdown: string; files: string[]; skippedLines: number }> {
  const { records, skippedLines } = readRecords(benchPaths.results(config.outDir));
  const report = summarise(records);
  const markdown = reportMarkdown(report, config.command);
  mkdirSync(config.outDir, { recursive: true });
  writeFileSync(benchPaths.reportJson(config.outDir), `${JSON.stringify({ command: config.command, ...report }, null, 1)}\n`);
  writeFileSync(benchPaths.reportMarkdown(config.outDir), markdown);
  const grids = await writeGrids(config, records, report);
  return { report, markdown, files: [benchPaths.reportJson(config.outDir), benchPaths.reportMarkdown(config.outDir), ...grids], skippedLines };
}
