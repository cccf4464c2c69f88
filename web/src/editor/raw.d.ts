// Vite imports a file's text with `?raw` (the language reference comes from docs/rules.md this way).
declare module '*.md?raw' {
  const text: string;
  export default text;
}
