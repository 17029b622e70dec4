import { dataUrlImageSize, sniffImageSize } from './image-size';
import { highDetailTiles, imagePartTokens, imageTokens } from './image-tokens';

const png = (width: number, height: number): Buffer => {
  const bytes = Buffer.alloc(33);
  bytes.writeUInt32BE(0x89504e47, 0);
  bytes.writeUInt32BE(0x0d0a1a0a, 4);
  bytes.write('IHDR', 12, 'latin1');
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  return bytes;
};
const jpeg = (width: number, height: number): Buffer =>
  Buffer.from([
    0xff,
    0xd8,
    0xff,
    0xe0,
    0x00,
    0x04,
    0x00,
    0x00,
    0xff,
    0xc0,
    0x00,
    0x0b,
    0x08,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    0x01,
    0x00,
    0x00,
  ]);
const dataUrl = (bytes: Buffer) => `data:image/png;base64,${bytes.toString('base64')}`;

describe('OpenAI image token rules', () => {
  it('matches the documented examples for tile models', () => {
    // 1024×1024 high → 768×768 → 4 tiles → 85 + 170 × 4.
    expect(imageTokens('gpt-4o', 'high', { width: 1024, height: 1024 })).toBe(765);
    // 2048×4096 high → 1024×2048 → 768×1536 → 6 tiles.
    expect(imageTokens('gpt-4o', 'high', { width: 2048, height: 4096 })).toBe(1_105);
    // 4096×8192 low → the base only.
    expect(imageTokens('gpt-4o', 'low', { width: 4096, height: 8192 })).toBe(85);
    expect(imageTokens('gpt-4o-mini-2024-07-18', 'low', undefined)).toBe(2_833);
  });

  it('never exceeds 8 tiles, the grid used for an unknown size', () => {
    for (const [width, height] of [
      [768, 2048],
      [767, 2048],
      [2048, 769],
      [100, 20_000],
      [4096, 4096],
    ]) {
      expect(highDetailTiles({ width, height })).toBeLessThanOrEqual(8);
    }
    expect(highDetailTiles({ width: 768, height: 2048 })).toBe(8);
    expect(imageTokens('gpt-4.1', 'auto', undefined)).toBe(85 + 170 * 8);
  });

  it('counts patches, capped at 1,536, times the model’s multiplier', () => {
    // 1024×1024 → 32 × 32 = 1,024 patches × 1.62.
    expect(imageTokens('openai/gpt-4.1-mini', 'high', { width: 1024, height: 1024 })).toBe(Math.ceil(1_024 * 1.62));
    expect(imageTokens('gpt-4.1-nano', 'low', undefined)).toBe(Math.ceil(1_536 * 2.46));
  });

  it('takes the largest rule for a model it does not know', () => {
    expect(imageTokens('claude-sonnet-4-5', 'high', undefined)).toBe(2_833 + 5_667 * 8);
    expect(imageTokens(undefined, 'low', undefined)).toBe(Math.ceil(1_536 * 2.46));
  });

  it('reads the size of PNG and JPEG data URLs, and not of a link', () => {
    expect(sniffImageSize(png(640, 480))).toEqual({ width: 640, height: 480 });
    expect(sniffImageSize(jpeg(300, 200))).toEqual({ width: 300, height: 200 });
    const padded = jpeg(30, 20);
    expect(sniffImageSize(Buffer.concat([padded.subarray(0, 8), Buffer.from([0xff]), padded.subarray(8)]))).toEqual({
      width: 30,
      height: 20,
    });
    expect(dataUrlImageSize(dataUrl(png(10, 20)))).toEqual({ width: 10, height: 20 });
    expect(dataUrlImageSize('https://example.test/cat.png')).toBeUndefined();
    expect(dataUrlImageSize('data:image/png;base64,bm90IGFuIGltYWdl')).toBeUndefined();
    expect(imagePartTokens('gpt-4o', { url: dataUrl(png(512, 512)), detail: 'high' })).toBe(85 + 170);
  });
});
