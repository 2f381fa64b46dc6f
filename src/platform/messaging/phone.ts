/** `06 12 34 56 78` → `+33612345678`; null when it is not a mobile number that can get an SMS. */
export function normaliseMobile(value: string): string | null {
  const compact = value.replace(/[\s.\-()]/g, '');
  if (/^0[67]\d{8}$/.test(compact)) return `+33${compact.slice(1)}`;
  if (/^\+33[67]\d{8}$/.test(compact)) return compact;
  if (/^0033[67]\d{8}$/.test(compact)) return `+${compact.slice(2)}`;
  if (/^\+(262|269|590|594|596|508|681|687|689)\d{6,9}$/.test(compact)) return compact;
  return null;
}

/** `+33 6 •• •• •• 78`: enough to tell numbers apart in the journal. */
export function maskPhone(phone: string | null): string {
  if (!phone) return '';
  return `${phone.slice(0, 4)}••••••${phone.slice(-2)}`;
}
