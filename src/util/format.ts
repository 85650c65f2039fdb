// Number formatting without Intl: toLocaleString loads ICU data on first use, which costs more
// start-up time than a whole plan.

/** 1234567.891 → "1,234,567.89" with the given decimals. */
export function formatNumber(n: number, decimals = 0): string {
  const [int, frac] = Math.abs(n).toFixed(decimals).split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${n < 0 ? '-' : ''}${grouped}${frac ? `.${frac}` : ''}`;
}

/** A difference in dollars with its sign: +$5.00, -$2.50. */
export function signedUsd(n: number): string {
  return n < 0 ? `-${usd(-n)}` : `+${usd(n)}`;
}

/** Dollars: totals to the cent, unit prices below a dollar to four significant decimals ($0.045). */
export function usd(n: number): string {
  if (Math.abs(n) >= 1 || n === 0) return `$${formatNumber(n, 2)}`;
  const s = n.toFixed(4).replace(/0+$/, '');
  return `$${s.split('.')[1]!.length < 2 ? n.toFixed(2) : s}`;
}
