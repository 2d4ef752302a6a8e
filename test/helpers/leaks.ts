import { startLeakRecorder, type LeakRecorder } from "../emulators/shared";

/**
 * A fresh leak recorder for each test of the enclosing describe block: jest
 * hooks start it before the test and stop it after. The answer stands for
 * the current one.
 */
export function leakRecorderPerTest(): Omit<LeakRecorder, "stop"> {
  let current: LeakRecorder | undefined;
  const recorder = () => {
    if (!current) throw new Error("the leak recorder runs only during a test");
    return current;
  };
  beforeEach(async () => {
    current = await startLeakRecorder();
  });
  afterEach(async () => {
    await current?.stop();
    current = undefined;
  });
  return {
    get url() {
      return recorder().url;
    },
    get server() {
      return recorder().server;
    },
    requests: () => recorder().requests(),
    answer: (next) => recorder().answer(next),
  };
}
