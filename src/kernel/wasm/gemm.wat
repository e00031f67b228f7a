;; Single-precision matrix multiply C (+)= A · B on the shared linear memory, f32x4 SIMD.
;; All addresses and strides are in bytes.
;;
;; B (the weights) is pre-packed once in panels of 8 columns: panel p holds k rows of 8 contiguous
;; floats at bp + p*k*32, so the micro-kernel streams it with two v128 loads per k.
;; A (the activations) is packed per call, 4 rows at a time, k-major ("a[k][0..3]"), so the 4 row
;; values for one k are adjacent and come in through v128.load32_splat (one broadcast load each).
;; The 4x8 block keeps 8 f32x4 accumulators in locals: with the 2 B vectors and 4 splats that is 14
;; xmm registers, the most V8 allocates without spilling (larger or k-unrolled blocks measured slower).
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; Interleaves 4 rows of A (row stride lda) into dst as k-major quadruples.
  (func $pack4 (param $a i32) (param $lda i32) (param $k i32) (param $dst i32)
    (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $end i32)
    (local.set $a1 (i32.add (local.get $a) (local.get $lda)))
    (local.set $a2 (i32.add (local.get $a1) (local.get $lda)))
    (local.set $a3 (i32.add (local.get $a2) (local.get $lda)))
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $k) (i32.const 2))))
    (loop $l
      (f32.store (local.get $dst) (f32.load (local.get $a)))
      (f32.store offset=4 (local.get $dst) (f32.load (local.get $a1)))
      (f32.store offset=8 (local.get $dst) (f32.load (local.get $a2)))
      (f32.store offset=12 (local.get $dst) (f32.load (local.get $a3)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (local.set $a1 (i32.add (local.get $a1) (i32.const 4)))
      (local.set $a2 (i32.add (local.get $a2) (i32.const 4)))
      (local.set $a3 (i32.add (local.get $a3) (i32.const 4)))
      (local.set $a (i32.add (local.get $a) (i32.const 4)))
      (br_if $l (i32.lt_u (local.get $a) (local.get $end)))))

  ;; 4x8 block of C from a packed 4-row block of A and one B panel; acc != 0 adds to C.
  (func $micro4x8 (param $ap i32) (param $bp i32) (param $k i32) (param $c i32) (param $ldc i32) (param $acc i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128) (local $av v128)
    (local $end i32) (local $c1 i32) (local $c2 i32) (local $c3 i32)
    (local.set $c1 (i32.add (local.get $c) (local.get $ldc)))
    (local.set $c2 (i32.add (local.get $c1) (local.get $ldc)))
    (local.set $c3 (i32.add (local.get $c2) (local.get $ldc)))
    (local.set $end (i32.add (local.get $bp) (i32.shl (local.get $k) (i32.const 5))))
    (if (local.get $acc) (then
      (local.set $c00 (v128.load (local.get $c)))  (local.set $c01 (v128.load offset=16 (local.get $c)))
      (local.set $c10 (v128.load (local.get $c1))) (local.set $c11 (v128.load offset=16 (local.get $c1)))
      (local.set $c20 (v128.load (local.get $c2))) (local.set $c21 (v128.load offset=16 (local.get $c2)))
      (local.set $c30 (v128.load (local.get $c3))) (local.set $c31 (v128.load offset=16 (local.get $c3)))))
    (loop $kl
      (local.set $b0 (v128.load (local.get $bp)))
      (local.set $b1 (v128.load offset=16 (local.get $bp)))
      (local.set $av (v128.load32_splat (local.get $ap)))
      (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $av) (local.get $b0))))
      (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $av) (local.get $b1))))
      (local.set $av (v128.load32_splat offset=4 (local.get $ap)))
      (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $av) (local.get $b0))))
      (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $av) (local.get $b1))))
      (local.set $av (v128.load32_splat offset=8 (local.get $ap)))
      (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $av) (local.get $b0))))
      (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $av) (local.get $b1))))
      (local.set $av (v128.load32_splat offset=12 (local.get $ap)))
      (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $av) (local.get $b0))))
      (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $av) (local.get $b1))))
      (local.set $ap (i32.add (local.get $ap) (i32.const 16)))
      (local.set $bp (i32.add (local.get $bp) (i32.const 32)))
      (br_if $kl (i32.lt_u (local.get $bp) (local.get $end))))
    (v128.store (local.get $c) (local.get $c00))  (v128.store offset=16 (local.get $c) (local.get $c01))
    (v128.store (local.get $c1) (local.get $c10)) (v128.store offset=16 (local.get $c1) (local.get $c11))
    (v128.store (local.get $c2) (local.get $c20)) (v128.store offset=16 (local.get $c2) (local.get $c21))
    (v128.store (local.get $c3) (local.get $c30)) (v128.store offset=16 (local.get $c3) (local.get $c31)))

  ;; One row of C over 4 consecutive panels (8 accumulators keep the add latency hidden in GEMV).
  (func $row1x32 (param $a i32) (param $bp i32) (param $k i32) (param $c i32) (param $acc i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $s4 v128) (local $s5 v128) (local $s6 v128) (local $s7 v128)
    (local $av v128) (local $ps i32) (local $b1 i32) (local $b2 i32) (local $b3 i32) (local $end i32)
    (local.set $ps (i32.shl (local.get $k) (i32.const 5)))
    (local.set $b1 (i32.add (local.get $bp) (local.get $ps)))
    (local.set $b2 (i32.add (local.get $b1) (local.get $ps)))
    (local.set $b3 (i32.add (local.get $b2) (local.get $ps)))
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $k) (i32.const 2))))
    (if (local.get $acc) (then
      (local.set $s0 (v128.load (local.get $c))) (local.set $s1 (v128.load offset=16 (local.get $c)))
      (local.set $s2 (v128.load offset=32 (local.get $c))) (local.set $s3 (v128.load offset=48 (local.get $c)))
      (local.set $s4 (v128.load offset=64 (local.get $c))) (local.set $s5 (v128.load offset=80 (local.get $c)))
      (local.set $s6 (v128.load offset=96 (local.get $c))) (local.set $s7 (v128.load offset=112 (local.get $c)))))
    (loop $kl
      (local.set $av (v128.load32_splat (local.get $a)))
      (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (local.get $av) (v128.load (local.get $bp)))))
      (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (local.get $av) (v128.load offset=16 (local.get $bp)))))
      (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (local.get $av) (v128.load (local.get $b1)))))
      (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (local.get $av) (v128.load offset=16 (local.get $b1)))))
      (local.set $s4 (f32x4.add (local.get $s4) (f32x4.mul (local.get $av) (v128.load (local.get $b2)))))
      (local.set $s5 (f32x4.add (local.get $s5) (f32x4.mul (local.get $av) (v128.load offset=16 (local.get $b2)))))
      (local.set $s6 (f32x4.add (local.get $s6) (f32x4.mul (local.get $av) (v128.load (local.get $b3)))))
      (local.set $s7 (f32x4.add (local.get $s7) (f32x4.mul (local.get $av) (v128.load offset=16 (local.get $b3)))))
      (local.set $a (i32.add (local.get $a) (i32.const 4)))
      (local.set $bp (i32.add (local.get $bp) (i32.const 32)))
      (local.set $b1 (i32.add (local.get $b1) (i32.const 32)))
      (local.set $b2 (i32.add (local.get $b2) (i32.const 32)))
      (local.set $b3 (i32.add (local.get $b3) (i32.const 32)))
      (br_if $kl (i32.lt_u (local.get $a) (local.get $end))))
    (v128.store (local.get $c) (local.get $s0)) (v128.store offset=16 (local.get $c) (local.get $s1))
    (v128.store offset=32 (local.get $c) (local.get $s2)) (v128.store offset=48 (local.get $c) (local.get $s3))
    (v128.store offset=64 (local.get $c) (local.get $s4)) (v128.store offset=80 (local.get $c) (local.get $s5))
    (v128.store offset=96 (local.get $c) (local.get $s6)) (v128.store offset=112 (local.get $c) (local.get $s7)))

  ;; One row of C over a single panel (the panels left over after groups of 4).
  (func $row1x8 (param $a i32) (param $bp i32) (param $k i32) (param $c i32) (param $acc i32)
    (local $s0 v128) (local $s1 v128) (local $av v128) (local $end i32)
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $k) (i32.const 2))))
    (if (local.get $acc) (then
      (local.set $s0 (v128.load (local.get $c))) (local.set $s1 (v128.load offset=16 (local.get $c)))))
    (loop $kl
      (local.set $av (v128.load32_splat (local.get $a)))
      (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (local.get $av) (v128.load (local.get $bp)))))
      (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (local.get $av) (v128.load offset=16 (local.get $bp)))))
      (local.set $a (i32.add (local.get $a) (i32.const 4)))
      (local.set $bp (i32.add (local.get $bp) (i32.const 32)))
      (br_if $kl (i32.lt_u (local.get $a) (local.get $end))))
    (v128.store (local.get $c) (local.get $s0)) (v128.store offset=16 (local.get $c) (local.get $s1)))

  ;; One full row of C (n = np panels): groups of 4 panels, then single panels.
  (func $row (param $a i32) (param $bp i32) (param $k i32) (param $c i32) (param $np i32) (param $acc i32)
    (local $p i32) (local $ps i32)
    (local.set $ps (i32.shl (local.get $k) (i32.const 5)))
    (block $done4
      (loop $l4
        (br_if $done4 (i32.gt_u (i32.add (local.get $p) (i32.const 4)) (local.get $np)))
        (call $row1x32 (local.get $a) (i32.add (local.get $bp) (i32.mul (local.get $p) (local.get $ps)))
          (local.get $k) (i32.add (local.get $c) (i32.shl (local.get $p) (i32.const 5))) (local.get $acc))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $l4)))
    (block $done1
      (loop $l1
        (br_if $done1 (i32.ge_u (local.get $p) (local.get $np)))
        (call $row1x8 (local.get $a) (i32.add (local.get $bp) (i32.mul (local.get $p) (local.get $ps)))
          (local.get $k) (i32.add (local.get $c) (i32.shl (local.get $p) (i32.const 5))) (local.get $acc))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $l1))))

  ;; Rows [i0, i0+rows) (rows a multiple of 4, packed at scratch) against every panel.
  (func $block (param $ap i32) (param $bp i32) (param $k i32) (param $c i32) (param $ldc i32)
      (param $rows i32) (param $np i32) (param $acc i32)
    (local $p i32) (local $r i32) (local $ps i32) (local $ab i32)
    (local.set $ps (i32.shl (local.get $k) (i32.const 5)))
    (local.set $ab (i32.shl (local.get $k) (i32.const 4)))
    (loop $pl
      (local.set $r (i32.const 0))
      (loop $rl
        (call $micro4x8
          (i32.add (local.get $ap) (i32.mul (i32.shr_u (local.get $r) (i32.const 2)) (local.get $ab)))
          (i32.add (local.get $bp) (i32.mul (local.get $p) (local.get $ps)))
          (local.get $k)
          (i32.add (i32.add (local.get $c) (i32.mul (local.get $r) (local.get $ldc))) (i32.shl (local.get $p) (i32.const 5)))
          (local.get $ldc) (local.get $acc))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br_if $rl (i32.lt_u (local.get $r) (local.get $rows))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br_if $pl (i32.lt_u (local.get $p) (local.get $np)))))

  ;; C[m x n] (+)= A[m x k] · B[k x n]; n is a multiple of 8, k >= 1.
  ;; scratch (scratchBytes >= 16*k) receives packed blocks of scratchBytes/(4k) rows (a multiple of 4),
  ;; sized by the caller to stay in L2.
  (func (export "gemm") (param $a i32) (param $lda i32) (param $bp i32) (param $k i32) (param $c i32) (param $ldc i32)
      (param $m i32) (param $n i32) (param $acc i32) (param $scratch i32) (param $scratchBytes i32)
    (local $np i32) (local $m4 i32) (local $mc i32) (local $i0 i32) (local $rows i32) (local $r i32)
    (local.set $np (i32.shr_u (local.get $n) (i32.const 3)))
    (local.set $m4 (i32.and (local.get $m) (i32.const -4)))
    (local.set $mc (i32.and (i32.div_u (local.get $scratchBytes) (i32.shl (local.get $k) (i32.const 2))) (i32.const -4)))
    (if (i32.lt_u (local.get $mc) (i32.const 4)) (then (unreachable)))
    (block $blocks_done
      (loop $bl
        (br_if $blocks_done (i32.ge_u (local.get $i0) (local.get $m4)))
        (local.set $rows (i32.sub (local.get $m4) (local.get $i0)))
        (if (i32.gt_u (local.get $rows) (local.get $mc)) (then (local.set $rows (local.get $mc))))
        (local.set $r (i32.const 0))
        (loop $pk
          (call $pack4 (i32.add (local.get $a) (i32.mul (i32.add (local.get $i0) (local.get $r)) (local.get $lda)))
            (local.get $lda) (local.get $k)
            (i32.add (local.get $scratch) (i32.mul (local.get $r) (i32.shl (local.get $k) (i32.const 2)))))
          (local.set $r (i32.add (local.get $r) (i32.const 4)))
          (br_if $pk (i32.lt_u (local.get $r) (local.get $rows))))
        (call $block (local.get $scratch) (local.get $bp) (local.get $k)
          (i32.add (local.get $c) (i32.mul (local.get $i0) (local.get $ldc))) (local.get $ldc)
          (local.get $rows) (local.get $np) (local.get $acc))
        (local.set $i0 (i32.add (local.get $i0) (local.get $rows)))
        (br $bl)))
    (block $rows_done
      (loop $rl
        (br_if $rows_done (i32.ge_u (local.get $m4) (local.get $m)))
        (call $row (i32.add (local.get $a) (i32.mul (local.get $m4) (local.get $lda))) (local.get $bp) (local.get $k)
          (i32.add (local.get $c) (i32.mul (local.get $m4) (local.get $ldc))) (local.get $np) (local.get $acc))
        (local.set $m4 (i32.add (local.get $m4) (i32.const 1)))
        (br $rl))))
)
