// The one assertion for "this throws the right TorchletError".

import { expect } from "vitest";
import { TorchletError, type ErrorCode } from "../../src/errors.js";

/**
 * Asserts that `fn` throws a TorchletError with `code` whose message contains
 * every fragment (given one by one or as arrays), and returns the error.
 */
export function expectError(fn: () => unknown, code: ErrorCode, ...fragments: (string | readonly string[])[]): TorchletError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, "expected a TorchletError to be thrown").toBeInstanceOf(TorchletError);
  const error = caught as TorchletError;
  expect(error.code, error.message).toBe(code);
  for (const fragment of fragments.flat()) expect(error.message).toContain(fragment);
  return error;
}
