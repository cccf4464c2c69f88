// A parse thread script that never finishes loading (a busy loop at its top level, before it could say
// it is ready), for the parse pool's test of a thread that does not start.
for (;;);
export {};
