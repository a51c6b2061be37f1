#!/bin/sh
# Usage errors of the training subcommands: exit status 2 and a message naming the flag or value;
# --help exits 0 on every subcommand. $1 is the simdnn executable.
cli="$1"
fails=0
expect() { # status, pattern, args...
    want=$1 pattern=$2
    shift 2
    out=$("$cli" "$@" 2>&1)
    got=$?
    if [ "$got" -ne "$want" ] || ! printf '%s' "$out" | grep -q -- "$pattern"; then
        echo "FAIL: simdnn $* -> exit $got (want $want), output should match '$pattern':"
        echo "$out" | head -5
        fails=$((fails + 1))
    fi
}
for cmd in train evaluate predict exercise; do
    expect 0 "usage: simdnn $cmd" $cmd --help
    expect 2 "unknown option '--bogus'" $cmd --bogus
done
# each command's --help names the folder it really writes to
expect 0 "output folder \[labs\]" lab --help
expect 0 "output folder \[lr-find\]" lr-find --help
expect 0 "output folder \[simdnn-run\]" train --help
expect 2 "bad value 'abc' for --lr" train --lr abc
expect 2 "bad value '0' for --epochs" train --epochs 0
expect 2 "bad value '1.5' for --batch-size" train --batch-size 1.5
expect 2 "bad value 'swish' for --activation" train --activation swish
expect 2 "bad value 'zeros' for --init" train --init zeros
expect 2 "bad value 'lion' for --optimizer" train --optimizer lion
expect 2 "bad value 'loss' for --monitor" train --monitor loss
expect 2 "bad value '1.5' for --dropout" train --dropout 1.5
expect 2 "bad value 'nope' for --preset" train --preset nope
expect 2 "bad value 'svhn' for --dataset" train --dataset svhn
expect 2 "option --units needs a value" train --units
expect 2 "unexpected argument 'extra'" train extra
expect 2 "--model is required" evaluate
expect 2 "bad value '-3' for --mc-samples" predict --model m --mc-samples -3
expect 2 "bad value '8b,8z' for --runs" exercise --runs 8b,8z
expect 2 "unknown option '--lr'" exercise --lr 0.1
expect 1 "no such file or folder" train --data /nonexistent/cifar --epochs 1 --out /tmp/simdnn-cli-usage-unused
rmdir /tmp/simdnn-cli-usage-unused 2>/dev/null
# ---- profiler: --profile, --profile-steps and simdnn profile
expect 2 "profile-steps 1,2: expected WAIT,WARMUP,ACTIVE" evaluate --profile /tmp/x --profile-steps 1,2
expect 2 "needs --profile DIR" evaluate --profile-steps 1,1,1
expect 2 "profile-trace needs --profile DIR" evaluate --profile-trace gz
expect 2 "expected thread, kernel or off" evaluate --profile /tmp/x --profile-counters all
expect 2 "needs a percentage" profile diff a b --fail-above
expect 2 "--profile needs a value" train --profile
expect 2 "unknown subcommand 'bogus'" profile bogus
expect 2 "usage: simdnn profile diff" profile diff /tmp
expect 1 "cannot read" profile diff /nonexistent/a /nonexistent/b
expect 2 "this CPU runs only" profile kernels --isa sse9
expect 2 "unknown option '--fast'" profile calibrate --fast
expect 0 "usage: simdnn profile" profile --help
# Schedules, lr-find and the labs
for cmd in lr-find lab; do
    expect 0 "usage: simdnn $cmd" $cmd --help
    expect 2 "unknown option '--bogus'" $cmd --bogus
done
expect 2 "bad value 'cosine' for --schedule" train --schedule cosine
expect 2 "piecewise needs --boundaries" train --schedule piecewise --boundaries 100
expect 2 "bad value '-3' in --boundaries" train --schedule piecewise --boundaries -3 --values 0.1,0.01
expect 2 "boundaries must increase" train --schedule piecewise --boundaries 200,100 --values 1,2,3
expect 2 "bad value '1.5' for --factor" train --schedule plateau --factor 1.5
expect 2 "bad value 'fast' for --lr" train --lr fast
expect 2 "must be above --start-lr" lr-find --start-lr 1 --end-lr 0.1
expect 2 "unknown lab 'q9'" lab q9
expect 2 "which lab" lab
expect 2 "bad value '0' for --seeds (1 to 20)" lab q1 --seeds 0
expect 2 "bad value 'abc' for --seeds" lab q1 --seeds abc
# ---- caches: each size names its source; SIMDNN_CACHE_SIZES pretends others, or is a clear error
expect_env() { # variable=value, then as expect
    env_set=$1
    shift
    want=$1 pattern=$2
    shift 2
    out=$(env "$env_set" "$cli" "$@" 2>&1)
    got=$?
    if [ "$got" -ne "$want" ] || ! printf '%s' "$out" | grep -q -- "$pattern"; then
        echo "FAIL: $env_set simdnn $* -> exit $got (want $want), output should match '$pattern':"
        echo "$out" | head -5
        fails=$((fails + 1))
    fi
}
expect 0 "caches: *L1d [1-9][0-9]* KiB ([a-z]*), L2 [1-9][0-9]* KiB" info
expect_env SIMDNN_CACHE_SIZES=48K,1M,32M 0 "L1d 48 KiB (SIMDNN_CACHE_SIZES), L2 1024 KiB" info
expect_env SIMDNN_CACHE_SIZES=48K,1x 1 "SIMDNN_CACHE_SIZES=48K,1x: expected the L1d, L2 and L3" info
[ "$fails" -eq 0 ] && echo "all usage checks passed"
exit "$fails"
