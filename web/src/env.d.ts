// Vite turns an imported stylesheet into a <link> in the built page.
declare module '*.css';
