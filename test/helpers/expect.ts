import * as assert from 'uvu/assert';

/** Awaits `work`, which must fail with CooError `code`; returns the error's data. */
export async function expectCode(work: Promise<unknown>, code: string): Promise<Record<string, unknown>> {
  try {
    await work;
  } catch (err) {
    assert.is((err as { code: string }).code, code, (err as Error).message);
    return (err as { data: Record<string, unknown> }).data;
  }
  assert.unreachable(`expected ${code}`);
  return {};
}
