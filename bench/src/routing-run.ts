/**
 * `npm run bench:routing`: the routing benchmark alone (classification and routing latency in
 * process, the mixed workload's cost with `auto` against the strongest model), a few seconds
 * without any stack. Prints its sections of the bench report as Markdown, or with `--json` its
 * figures as `npm run bench` writes them under `routing` in latest.json. `BENCH_ROUTING_ROUNDS`
 * sets the timed rounds.
 */
import { routingSections } from './report-routing';
import { runRoutingBench } from './routing';
import { readRoutingRounds } from './settings';

const main = (argv: readonly string[]): number => {
  for (const argument of argv) if (argument !== '--json') throw new Error(`unknown argument ${argument}`);
  const result = runRoutingBench(readRoutingRounds());
  process.stdout.write(
    argv.includes('--json') ? `${JSON.stringify(result, null, 2)}\n` : routingSections(result).join('\n'),
  );
  if (result.error) console.error(`routing benchmark: ${result.error}`);
  return result.error ? 1 : 0;
};

try {
  process.exit(main(process.argv.slice(2)));
} catch (error) {
  console.error(`routing benchmark: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
