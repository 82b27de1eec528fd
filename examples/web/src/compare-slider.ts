/**
 * A before/after slider: the range input sets where the "after" layer starts (`--split`, as a
 * percentage of the width), so the left part shows "before" and the right part "after".
 */
export function bindCompareSlider(container: HTMLElement, range: HTMLInputElement): void {
  const update = () => container.style.setProperty('--split', `${range.value}%`);
  range.addEventListener('input', update);
  update();
}
