import { spawn } from "node:child_process";
import type { Verdict } from "./ordering";

/** Runs `command` with `input` on stdin and resolves its stdout; rejects on a non-zero exit. */
function run(command: string, args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "ignore"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} exited with ${code}`))));
    child.stdin.end(input);
  });
}

function verdicts(output: string, expected: number, toVerdict: (line: string) => Verdict): Verdict[] {
  const lines = output.split("\n").filter((line) => line !== "");
  if (lines.length !== expected) throw new Error(`oracle answered ${lines.length} lines for ${expected} pairs`);
  return lines.map(toVerdict);
}

const asTabbedLines = (pairs: ReadonlyArray<readonly [string, string]>): string => pairs.map(([a, b]) => `${a}\t${b}\n`).join("");

/**
 * `dpkg --compare-versions` on every pair. One process per pair is the cost
 * (a few ms each), so the pairs go to a few shells at once, each reading its
 * share from stdin and printing one verdict a line.
 */
export async function dpkgVerdicts(pairs: ReadonlyArray<readonly [string, string]>, shells = 4): Promise<Verdict[]> {
  const script = `while IFS='\t' read -r a b; do
  if dpkg --compare-versions "$a" lt "$b"; then echo '<'
  elif dpkg --compare-versions "$a" eq "$b"; then echo '='
  else echo '>'; fi
done`;
  const size = Math.ceil(pairs.length / shells);
  const shares = Array.from({ length: shells }, (_, i) => pairs.slice(i * size, (i + 1) * size)).filter((share) => share.length > 0);
  const outputs = await Promise.all(shares.map((share) => run("sh", ["-c", script], asTabbedLines(share))));
  return outputs.flatMap((output, i) => verdicts(output, shares[i].length, (line) => line as Verdict));
}

/** rpm's own `rpm.vercmp` (EVR strings) on every pair, all in one rpm process through its Lua interpreter. */
export async function rpmVerdicts(pairs: ReadonlyArray<readonly [string, string]>): Promise<Verdict[]> {
  const lua = `%{lua: for line in io.lines() do local a, b = line:match("^(.-)\\t(.*)$"); io.write(rpm.vercmp(a, b), "\\n") end}`;
  const output = await run("rpm", ["--eval", lua], asTabbedLines(pairs));
  const byAnswer: Record<string, Verdict> = { "-1": "<", "0": "=", "1": ">" };
  return verdicts(output, pairs.length, (line) => {
    const answer = byAnswer[line];
    if (!answer) throw new Error(`rpm answered ${JSON.stringify(line)}`);
    return answer;
  });
}
