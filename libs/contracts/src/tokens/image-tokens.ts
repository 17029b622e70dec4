import type { ImageSize } from './image-size';
import { dataUrlImageSize } from './image-size';

/**
 * OpenAI's published image token rules (platform.openai.com/docs/guides/images-vision, "Calculating
 * costs"). Tile models: `low` costs the base; `high`/`auto` scale the image to fit 2048×2048, then
 * its shortest side down to 768, and add a tile price per 512 px tile. Patch models: one token per
 * 32 px patch, at most 1,536 patches, times a multiplier (detail does not apply).
 */
type ImageRule =
  | { kind: 'tiles'; prefix: string; base: number; tile: number }
  | { kind: 'patches'; prefix: string; multiplier: number };

/** Most specific prefix first: `gpt-4o-mini` before `gpt-4o`. */
const RULES: readonly ImageRule[] = [
  { kind: 'patches', prefix: 'gpt-5-mini', multiplier: 1.62 },
  { kind: 'patches', prefix: 'gpt-5-nano', multiplier: 2.46 },
  { kind: 'patches', prefix: 'gpt-4.1-mini', multiplier: 1.62 },
  { kind: 'patches', prefix: 'gpt-4.1-nano', multiplier: 2.46 },
  { kind: 'patches', prefix: 'o4-mini', multiplier: 1.72 },
  { kind: 'tiles', prefix: 'gpt-4o-mini', base: 2_833, tile: 5_667 },
  { kind: 'tiles', prefix: 'gpt-5', base: 70, tile: 140 },
  { kind: 'tiles', prefix: 'gpt-4o', base: 85, tile: 170 },
  { kind: 'tiles', prefix: 'gpt-4.1', base: 85, tile: 170 },
  { kind: 'tiles', prefix: 'gpt-4.5', base: 85, tile: 170 },
  { kind: 'tiles', prefix: 'o1', base: 75, tile: 150 },
  { kind: 'tiles', prefix: 'o3', base: 75, tile: 150 },
  { kind: 'tiles', prefix: 'computer-use', base: 65, tile: 129 },
];

const MAX_PATCHES = 1_536;
/** The largest tile grid `high` can produce (e.g. 768×2048 → 2×4); used when the size is unknown. */
const MAX_TILES = 8;

export type ImageDetail = 'auto' | 'low' | 'high';

export const highDetailTiles = ({ width, height }: ImageSize): number => {
  let w = width;
  let h = height;
  const fit = Math.min(1, 2048 / Math.max(w, h));
  w *= fit;
  h *= fit;
  const shorten = Math.min(1, 768 / Math.min(w, h));
  w *= shorten;
  h *= shorten;
  return Math.ceil(w / 512) * Math.ceil(h / 512);
};

const ruleTokens = (rule: ImageRule, detail: ImageDetail, size: ImageSize | undefined): number => {
  if (rule.kind === 'patches') {
    const patches = size ? Math.ceil(size.width / 32) * Math.ceil(size.height / 32) : MAX_PATCHES;
    return Math.ceil(Math.min(patches, MAX_PATCHES) * rule.multiplier);
  }
  if (detail === 'low') return rule.base;
  return rule.base + rule.tile * (size ? highDetailTiles(size) : MAX_TILES);
};

const ruleFor = (model: string): ImageRule | undefined => {
  const name = model.toLowerCase().split('/').at(-1) ?? '';
  return RULES.find((rule) => name.startsWith(rule.prefix));
};

/**
 * Input tokens OpenAI bills for one image on `model`. A model without a known rule (another
 * provider, a new model) gets the largest of every rule, so a bound built on it stays a bound.
 */
export const imageTokens = (model: string | undefined, detail: ImageDetail, size: ImageSize | undefined): number => {
  const rule = model === undefined ? undefined : ruleFor(model);
  if (rule) return ruleTokens(rule, detail, size);
  return Math.max(...RULES.map((candidate) => ruleTokens(candidate, detail, size)));
};

/** `imageTokens` for an image part: the size is read from a `data:` URL, unknown for a link. */
export const imagePartTokens = (model: string | undefined, image: { url: string; detail?: ImageDetail }): number =>
  imageTokens(model, image.detail ?? 'auto', dataUrlImageSize(image.url));
