/** The environment as a program is given it (process.env, or a test's own). */
export type Env = Readonly<Record<string, string | undefined>>;
