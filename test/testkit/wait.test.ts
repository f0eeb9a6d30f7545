import { deadlineScale, waitFor } from '../../testkit/wait';

describe('waitFor deadlines', () => {
  it('are stretched by WAIT_DEADLINE_SCALE and the message names the scaled bound', async () => {
    const saved = process.env.WAIT_DEADLINE_SCALE;
    process.env.WAIT_DEADLINE_SCALE = '2';
    try {
      await expect(waitFor('something that never comes', async () => false, 50, 10)).rejects.toThrow('timed out after 100 ms waiting for something that never comes');
    } finally {
      if (saved === undefined) delete process.env.WAIT_DEADLINE_SCALE;
      else process.env.WAIT_DEADLINE_SCALE = saved;
    }
  });

  it('refuse a scale that is not a number ≥ 1, naming the setting', () => {
    expect(deadlineScale({})).toBe(1);
    expect(deadlineScale({ WAIT_DEADLINE_SCALE: '2.5' })).toBe(2.5);
    for (const bad of ['0.5', 'fast', '-1', 'Infinity']) expect(() => deadlineScale({ WAIT_DEADLINE_SCALE: bad })).toThrow(/^WAIT_DEADLINE_SCALE: expected a number ≥ 1/);
  });
});
