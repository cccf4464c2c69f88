// The AppError a use case is refused with; fails the test when the call succeeds or throws anything else.
import assert from 'node:assert/strict';
import { AppError } from '../../src/app/errors.js';

export async function refusal(work: Promise<unknown>): Promise<AppError> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof AppError, `an AppError, not ${error}`);
    return error;
  }
  assert.fail('expected the call to be refused');
}
