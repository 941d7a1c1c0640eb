<?php
// PHP side of bench/rcgc: objects with one property, cycles through it (reference §4.2).
// Usage: php bench_gc.php CASE N
class Node { public $o; }
[$_, $case, $n] = $argv;
$n = (int)$n;
gc_collect_cycles();
gc_disable();
function full($n) {
    $t0 = hrtime(true);
    $got = gc_collect_cycles();
    return (hrtime(true) - $t0);
}
if ($case === 'pairs' || $case === 'usergc') { // PHP's objects are its user-defined type
    for ($i = 0; $i < intdiv($n, 2); $i++) { $a = new Node; $b = new Node; $b->o = $a; $a->o = $b; }
    unset($a, $b);
    printf("%s %d %.1f ns/obj\n", $case, $n, full($n) / $n);
} elseif ($case === 'ring100') {
    for ($r = 0; $r < intdiv($n, 100); $r++) {
        $first = $prev = new Node;
        for ($i = 1; $i < 100; $i++) { $l = new Node; $prev->o = $l; $prev = $l; }
        $prev->o = $first;
    }
    unset($first, $prev, $l);
    printf("ring100 %d %.1f ns/obj\n", $n, full($n) / $n);
} elseif ($case === 'randpairs') {
    $o = []; for ($i = 0; $i < $n; $i++) $o[] = new Node;
    $perm = range(0, $n - 1); mt_srand(1); shuffle($perm);
    for ($i = 0; $i + 1 < $n; $i += 2) { $o[$perm[$i]]->o = $o[$perm[$i + 1]]; $o[$perm[$i + 1]]->o = $o[$perm[$i]]; }
    unset($o, $perm);
    printf("randpairs %d %.1f ns/obj\n", $n, full($n) / $n);
} elseif ($case === 'alive') {
    $hold = [];
    for ($i = 0; $i < intdiv($n, 2); $i++) { $a = new Node; $b = new Node; $b->o = $a; $a->o = $b; $hold[] = $a; }
    unset($a, $b);
    $x = full($n); $y = full($n);
    printf("alive %d %.1f ns/obj %.1f\n", $n, $x / $n, $y / $n);
} else {
    fwrite(STDERR, "bench_gc.php: case not measured for PHP\n");
    exit(3);
}
