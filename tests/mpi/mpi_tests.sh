#!/bin/sh
# Data-parallel training end to end under mpirun on a generated CIFAR-format folder.
# usage: mpi_tests.sh SIMDNN MAKE_TOY_CIFAR WORKDIR CHECK
#   deterministic  two 2-rank runs give bitwise the same weights (dropout and BN on)
#   accuracy       2 ranks reach the single process's test accuracy within 0.03, val_loss within 2%
#   killed_rank    a rank killed mid-run ends the job non-zero within seconds; --resume finishes it
#                  with bitwise the weights of a run that was never interrupted
#   any_n          a 2-rank checkpoint resumes on 1 rank and back on 2
#   failing_rank   an error on the ranks ends the job at once with the message, no hang
cli=$1 make_toy=$2 work=$3 check=$4
set -u
rm -rf "$work"
mkdir -p "$work" || exit 1
data="$work/data"
"$make_toy" "$data" 400 20 || exit 1

export OMP_NUM_THREADS=1
# Containers often forbid the cross-process reads of Open MPI's shared-memory transport.
export OMPI_MCA_btl_vader_single_copy_mechanism=none
export OMPI_MCA_rmaps_base_oversubscribe=1
# Waiting ranks yield the core: on a loaded CI machine busy-polling ranks starve each other.
export OMPI_MCA_mpi_yield_when_idle=1
mpi() { # ranks, args...
    n=$1
    shift
    timeout 120 mpirun --oversubscribe --allow-run-as-root -np "$n" "$cli" "$@"
}
small="train --data $data --layers 4 --units 32 --threads 1 --progress lines --patience 0"
fail() {
    echo "FAIL: $*"
    exit 1
}
# The tensors of a safetensors file (after its 8-byte length and JSON header), as one hash: the
# header holds run-specific metadata (paths, timings).
weights() {
    hlen=$(od -An -tu8 -N8 "$1" | tr -d ' ')
    tail -c +$((hlen + 9)) "$1" | cksum
}
json_value() { # file key
    sed -n "s/.*\"$2\": \([^,]*\),*$/\1/p" "$1"
}

case $check in
deterministic)
    for run in a b; do
        mpi 2 $small --epochs 3 --batch-norm --dropout 0.2 --out "$work/$run" >"$work/$run.log" 2>&1 ||
            fail "2-rank run $run exited $?: $(tail -5 "$work/$run.log")"
    done
    wa=$(weights "$work/a/model.safetensors")
    wb=$(weights "$work/b/model.safetensors")
    [ "$wa" = "$wb" ] || fail "two 2-rank runs with the same seed differ: $wa vs $wb"
    grep -q "samples/s on 2 ranks" "$work/a.log" || fail "no global throughput in the epoch lines"
    echo "two 2-rank runs: identical weights ($wa)"
    ;;
accuracy)
    "$cli" $small --epochs 6 --clip-norm 1 --l2 0.0001 --out "$work/one" >"$work/one.log" 2>&1 ||
        fail "1 process exited $?: $(tail -5 "$work/one.log")"
    mpi 2 $small --epochs 6 --clip-norm 1 --l2 0.0001 --out "$work/two" >"$work/two.log" 2>&1 ||
        fail "2 ranks exited $?: $(tail -5 "$work/two.log")"
    a1=$(json_value "$work/one/summary.json" test_accuracy)
    a2=$(json_value "$work/two/summary.json" test_accuracy)
    l1=$(json_value "$work/one/summary.json" best_val_loss)
    l2=$(json_value "$work/two/summary.json" best_val_loss)
    echo "test accuracy: 1 process $a1, 2 ranks $a2; val_loss $l1, $l2"
    awk -v a="$a1" -v b="$a2" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a > 0.4 && d <= 0.03) }' ||
        fail "2 ranks' test accuracy $a2 is not within 0.03 of one process's $a1 (or it did not learn)"
    # The same global batches and gradient mean: the runs differ by float rounding only.
    awk -v a="$l1" -v b="$l2" 'BEGIN { d = (a - b) / a; if (d < 0) d = -d; exit !(d <= 0.02) }' ||
        fail "2 ranks' val_loss $l2 is not within 2% of one process's $l1"
    ;;
killed_rank)
    long="$small --layers 8 --units 64 --epochs 20"
    mpi 2 $long --out "$work/whole" >"$work/whole.log" 2>&1 || fail "uninterrupted run exited $?"
    mpi 2 $long --out "$work/cut" >"$work/cut.log" 2>&1 &
    for _ in $(seq 600); do
        grep -q "^epoch 2/" "$work/cut.log" 2>/dev/null && break
        sleep 0.05
    done
    victim= # rank 1 of this job, from /proc (no procps on a minimal system)
    for d in /proc/[0-9]*; do
        tr '\0' '\n' <"$d/cmdline" 2>/dev/null | grep -qx "$work/cut" || continue
        tr '\0' '\n' <"$d/environ" 2>/dev/null | grep -qx OMPI_COMM_WORLD_RANK=1 && victim=${d#/proc/}
    done
    [ -n "$victim" ] || fail "rank 1 not found (did the run end too soon?)"
    t0=$(date +%s)
    kill -9 "$victim"
    wait $!
    rc=$?
    secs=$(($(date +%s) - t0))
    echo "rank 1 killed: mpirun exited $rc after ${secs}s"
    [ "$rc" -ne 0 ] || fail "the job exited 0 after a rank was killed"
    [ "$rc" -ne 124 ] || fail "the job hung after a rank was killed (timeout)"
    [ "$secs" -le 10 ] || fail "the job took ${secs}s to end after a rank was killed"
    grep -q "rank 1.*exited on signal 9" "$work/cut.log" || fail "no message naming the dead rank"
    grep -q "^epoch 20/" "$work/cut.log" && fail "the run finished before the kill"
    mpi 2 train --resume "$work/cut" >"$work/resume.log" 2>&1 ||
        fail "--resume exited $?: $(tail -5 "$work/resume.log")"
    grep -q "resuming from" "$work/resume.log" || fail "--resume did not resume"
    [ "$(json_value "$work/cut/summary.json" epochs_run)" = 20 ] || fail "the resumed run did not finish"
    [ "$(weights "$work/cut/model.safetensors")" = "$(weights "$work/whole/model.safetensors")" ] ||
        fail "the resumed run's weights differ from the uninterrupted run's"
    echo "resumed after the kill: the same weights as the uninterrupted run"
    ;;
any_n)
    mpi 2 $small --epochs 2 --out "$work/r" >"$work/r1.log" 2>&1 || fail "2-rank run exited $?"
    "$cli" train --resume "$work/r" --epochs 3 >"$work/r2.log" 2>&1 ||
        fail "resume on 1 process exited $?: $(tail -5 "$work/r2.log")"
    mpi 2 train --resume "$work/r" --epochs 4 >"$work/r3.log" 2>&1 ||
        fail "resume on 2 ranks exited $?: $(tail -5 "$work/r3.log")"
    grep -q "^epoch 3/3" "$work/r2.log" || fail "1 process did not train epoch 3"
    grep -q "^epoch 4/4.*on 2 ranks" "$work/r3.log" || fail "2 ranks did not train epoch 4"
    [ "$(json_value "$work/r/summary.json" epochs_run)" = 4 ] || fail "epochs_run is not 4"
    echo "2 ranks -> 1 process -> 2 ranks: epochs 1-4 trained"
    ;;
failing_rank)
    t0=$(date +%s)
    mpi 2 $small --epochs 2 --data "$work/nowhere" --out "$work/f" >"$work/f.log" 2>&1
    rc=$?
    secs=$(($(date +%s) - t0))
    [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "a failing job exited $rc"
    [ "$secs" -le 20 ] || fail "a failing job took ${secs}s"
    grep -q "nowhere" "$work/f.log" || fail "no message naming the missing data: $(head -5 "$work/f.log")"
    mpi 2 evaluate --model "$work/f" >"$work/e.log" 2>&1 && fail "evaluate on 2 ranks did not refuse"
    grep -q "only 'train' is distributed" "$work/e.log" || fail "no message for evaluate on 2 ranks"
    echo "failing ranks end the job in ${secs}s with the error"
    ;;
*)
    fail "unknown check '$check'"
    ;;
esac
