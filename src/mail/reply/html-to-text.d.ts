// html-to-text 10 ships no type declarations; this declares the one function we call, as documented
// in its README (compile(options) returns a converter reused for every call).
declare module 'html-to-text' {
  export interface SelectorDefinition {
    selector: string;
    format?: string;
    options?: Record<string, unknown>;
  }
  export interface HtmlToTextOptions {
    wordwrap?: number | false | null;
    limits?: { maxDepth?: number; maxInputLength?: number; maxChildNodes?: number; maxBaseElements?: number };
    selectors?: SelectorDefinition[];
    baseElements?: { selectors?: string[]; returnDomByDefault?: boolean };
  }
  export function compile(options?: HtmlToTextOptions): (html: string) => string;
}
