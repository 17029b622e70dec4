export interface ImageSize {
  width: number;
  height: number;
}

/** Base64 characters decoded to find a JPEG's frame header; a header beyond them counts as unknown. */
const SNIFF_BASE64_CHARS = 131_072;

const jpegSize = (bytes: Buffer): ImageSize | undefined => {
  let offset = 2;
  while (offset + 9 < bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1] ?? 0;
    if (marker === 0xff) {
      offset += 1; // fill byte before a marker
      continue;
    }
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) return { height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) };
    offset += 2 + bytes.readUInt16BE(offset + 2);
  }
  return undefined;
};

/** The first bytes of a PNG, GIF, JPEG or WebP (VP8X) say its size; anything else is unknown. */
export const sniffImageSize = (bytes: Buffer): ImageSize | undefined => {
  if (bytes.length >= 24 && bytes.readUInt32BE(0) === 0x89504e47) {
    return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  }
  if (bytes.length >= 10 && bytes.toString('latin1', 0, 4) === 'GIF8') {
    return { width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) return jpegSize(bytes);
  if (
    bytes.length >= 30 &&
    bytes.toString('latin1', 0, 4) === 'RIFF' &&
    bytes.toString('latin1', 8, 16) === 'WEBPVP8X'
  ) {
    return { width: 1 + bytes.readUIntLE(24, 3), height: 1 + bytes.readUIntLE(27, 3) };
  }
  return undefined;
};

/** The size of a base64 `data:` image URL; an `https://` URL (or anything unreadable) is unknown. */
export const dataUrlImageSize = (url: string): ImageSize | undefined => {
  const match = /^data:[^,;]*;base64,/i.exec(url);
  if (!match) return undefined;
  const start = match[0].length;
  const length = Math.min(url.length - start, SNIFF_BASE64_CHARS) & ~3;
  const size = sniffImageSize(Buffer.from(url.slice(start, start + length), 'base64'));
  return size && size.width > 0 && size.height > 0 ? size : undefined;
};
