/** WCAG 2.1 contrast: relative luminance of sRGB colours and the ratio of two (1 to 21). */

/** `#rrggbb` or `rgb(r, g, b)` / `rgba(r, g, b, a)` as [r, g, b] in 0..255 (alpha ignored). */
export function parseColor(color: string): [number, number, number] {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color)
  if (hex) return [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16), parseInt(hex[3]!, 16)]
  const rgb = /^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)/.exec(color)
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])]
  throw new Error(`not a colour: ${color}`)
}

export function luminance([r, g, b]: [number, number, number]): number {
  const channel = (value: number) => {
    const v = value / 255
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4
  }
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

export function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(parseColor(a)), luminance(parseColor(b))].sort((x, y) => y - x)
  return (light! + 0.05) / (dark! + 0.05)
}

/** `color` at `alpha` (0..1) over `backdrop`, as `#rrggbb`. */
export function blend(color: string, alpha: number, backdrop: string): string {
  const top = parseColor(color)
  const bottom = parseColor(backdrop)
  return `#${top.map((channel, i) => Math.round(channel * alpha + bottom[i]! * (1 - alpha)).toString(16).padStart(2, '0')).join('')}`
}
