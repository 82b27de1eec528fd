/**
 * face-api's platform in a Web Worker, simulated in Node: face-api reports neither a DOM nor Node,
 * the worker's classes are globals, and the detector's set-up hands face-api an environment of them.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FaceApiEnvironment } from '../src/face-api-module.js';

const env = { isBrowser: vi.fn(() => false), isNodejs: vi.fn(() => false), setEnv: vi.fn<(e: FaceApiEnvironment) => void>() };
vi.mock('../src/face-api-module.js', () => ({ faceApi: { env } }));
const { provideWorkerEnvironment } = await import('../src/worker-env.js');

class FakeOffscreenCanvas {
  constructor(
    readonly width: number,
    readonly height: number,
  ) {}
}
class FakeContext {}
class FakeImageData {}

describe('face-api environment in a Web Worker', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.clearAllMocks();
  });

  it("gives face-api the worker's own classes when it found no platform", async () => {
    vi.stubGlobal('OffscreenCanvas', FakeOffscreenCanvas);
    vi.stubGlobal('OffscreenCanvasRenderingContext2D', FakeContext);
    vi.stubGlobal('ImageData', FakeImageData);
    vi.stubGlobal('fetch', vi.fn(async () => new Response('ok')));
    provideWorkerEnvironment();
    expect(env.setEnv).toHaveBeenCalledTimes(1);
    const given = env.setEnv.mock.calls[0][0];
    expect([given.Canvas, given.CanvasRenderingContext2D, given.ImageData]).toEqual([FakeOffscreenCanvas, FakeContext, FakeImageData]);
    expect(given.createCanvasElement()).toBeInstanceOf(FakeOffscreenCanvas);
    // No value is an image or a video: face-api's instanceof checks see tensors only.
    expect(new Uint8Array(1)).not.toBeInstanceOf(given.Image);
    expect(() => given.createImageElement()).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => given.createVideoElement()).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    await expect(given.readFile('model.json')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(await (await given.fetch('https://example.test/m.json')).text()).toBe('ok');
    expect(fetch).toHaveBeenCalledWith('https://example.test/m.json', undefined);
  });

  it('leaves face-api alone on a page, in Node, and where there is no OffscreenCanvas', () => {
    vi.stubGlobal('OffscreenCanvas', FakeOffscreenCanvas);
    env.isBrowser.mockReturnValueOnce(true);
    provideWorkerEnvironment();
    env.isNodejs.mockReturnValueOnce(true);
    provideWorkerEnvironment();
    vi.stubGlobal('OffscreenCanvas', undefined);
    provideWorkerEnvironment();
    expect(env.setEnv).not.toHaveBeenCalled();
  });
});
