#!/usr/bin/env python3
"""CPU time of the whole process, per query class, for builds of communique and quest.

    python3 benches/compare/cpu.py ROUNDS RUNS LABEL=BINARY[@INDEX] ...

Reads the commands of the last `benches/compare.sh` run (bench-data/compare-20000/commands.tsv),
runs communique's with each BINARY (on INDEX when given, for a build whose schema differs) and
quest's, each through `perf stat -r RUNS -e task-clock`, in ROUNDS interleaved rounds, and
prints the median of the rounds' means in ms as a Markdown table. CPU time, because the wall
time of a 2 ms process on a shared machine is mostly other programs'.
"""
import shlex
import statistics
import subprocess
import sys


def task_clock(argv, runs):
    p = subprocess.run(['perf', 'stat', '-x,', '-r', str(runs), '-e', 'task-clock'] + argv,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in p.stderr.splitlines():
        if 'task-clock' in line:
            return float(line.split(',')[0])
    sys.exit(f"perf stat failed for {shlex.join(argv)}:\n{p.stderr}")


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    rounds, runs = int(sys.argv[1]), int(sys.argv[2])
    builds = [a.split('=', 1) for a in sys.argv[3:]]
    commands = {}
    with open('bench-data/compare-20000/commands.tsv', encoding='utf-8') as f:
        for line in f:
            cls, tool, cmd = line.rstrip('\n').split('\t')
            commands.setdefault(cls, {})[tool] = shlex.split(cmd)
    print('load at start', ' '.join(open('/proc/loadavg').read().split()[:3]))
    labels = [label for label, _ in builds] + ['quest']
    last = builds[-1][0]
    print('| class | ' + ' | '.join(labels) + f' | {last} ÷ quest |')
    print('|---' * (len(labels) + 2) + '|')
    for cls, tools in commands.items():
        times = {label: [] for label in labels}
        for _ in range(rounds):
            for label, spec in builds:
                binary, _, index = spec.partition('@')
                argv = [binary] + tools['communique'][1:]
                if index:
                    argv[argv.index('--index') + 1] = index
                times[label].append(task_clock(argv, runs))
            times['quest'].append(task_clock(tools['quest'], runs))
        med = {label: statistics.median(v) for label, v in times.items()}
        cells = ' | '.join(f'{med[label]:.2f}' for label in labels)
        print(f'| {cls} | {cells} | {med[last] / med["quest"]:.2f} |', flush=True)
    print('load at end', ' '.join(open('/proc/loadavg').read().split()[:3]))


if __name__ == '__main__':
    main()
