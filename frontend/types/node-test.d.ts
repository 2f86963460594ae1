// The parts of Node's test runner that frontend/test uses, so the project needs
// no @types/node. Only what Node 18.4 (nodejs-bin's Node) has: its "node:test"
// exports `test` alone; `describe` and `it` came in 18.6. Group cases with
// subtests: `test("group", async (t) => { await t.test("case", () => ...); })`.

declare module "node:test" {
  interface TestOptions {
    skip?: boolean | string;
    only?: boolean;
    concurrency?: number | boolean;
  }
  interface TestContext {
    test(name: string, fn: TestFn): Promise<void>;
    test(name: string, options: TestOptions, fn: TestFn): Promise<void>;
    diagnostic(message: string): void;
    skip(message?: string): void;
  }
  type TestFn = (context: TestContext) => void | Promise<void>;
  export function test(name: string, fn: TestFn): Promise<void>;
  export function test(name: string, options: TestOptions, fn: TestFn): Promise<void>;
  export default test;
}

declare module "node:assert/strict" {
  type ErrorMatcher = RegExp | (new (...args: never[]) => Error) | ((error: unknown) => boolean) | object;
  interface Assert {
    (value: unknown, message?: string | Error): asserts value;
    ok(value: unknown, message?: string | Error): asserts value;
    equal<T>(actual: unknown, expected: T, message?: string | Error): asserts actual is T;
    strictEqual<T>(actual: unknown, expected: T, message?: string | Error): asserts actual is T;
    notEqual(actual: unknown, expected: unknown, message?: string | Error): void;
    deepEqual<T>(actual: unknown, expected: T, message?: string | Error): asserts actual is T;
    deepStrictEqual<T>(actual: unknown, expected: T, message?: string | Error): asserts actual is T;
    throws(block: () => unknown, error?: ErrorMatcher, message?: string | Error): void;
    match(value: string, regExp: RegExp, message?: string | Error): void;
  }
  const assert: Assert;
  export default assert;
}
