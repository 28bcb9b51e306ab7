// The stopword package ships no types; only the two lists the ask module reads are declared.
declare module 'stopword' {
  export const eng: readonly string[];
  export const rus: readonly string[];
}
