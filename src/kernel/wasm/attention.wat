;; Causal grouped-query attention over a KV cache, f32x4 SIMD. Addresses and strides in bytes.
;;
;; Cache layout (one rank, one layer): K and V are [kvHead][maxSeq][headDim]; a query at absolute
;; position p attends to cache rows 0..p, which the caller has written (rotated) before this call.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; exp(x) for 4 lanes (Cephes expf: range reduction by ln 2, degree-6 polynomial, 2^n from the
  ;; exponent bits); relative error ~1e-7. Inputs are clamped to [-87, 88] so results stay finite.
  (func $exp4 (param $x v128) (result v128)
    (local $n v128) (local $r v128) (local $y v128)
    (local.set $x (f32x4.max (f32x4.min (local.get $x) (f32x4.splat (f32.const 88.0))) (f32x4.splat (f32.const -87.0))))
    (local.set $n (f32x4.floor (f32x4.add (f32x4.mul (local.get $x) (f32x4.splat (f32.const 1.44269504088896341)))
      (f32x4.splat (f32.const 0.5)))))
    (local.set $r (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) (f32x4.splat (f32.const 0.693359375)))))
    (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $n) (f32x4.splat (f32.const -2.12194440e-4)))))
    (local.set $y (f32x4.splat (f32.const 1.9875691500e-4)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (f32x4.splat (f32.const 1.3981999507e-3))))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (f32x4.splat (f32.const 8.3334519073e-3))))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (f32x4.splat (f32.const 4.1665795894e-2))))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (f32x4.splat (f32.const 1.6666665459e-1))))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (f32x4.splat (f32.const 5.0000001201e-1))))
    (local.set $y (f32x4.add (f32x4.add (f32x4.mul (local.get $y) (f32x4.mul (local.get $r) (local.get $r)))
      (local.get $r)) (f32x4.splat (f32.const 1.0))))
    (f32x4.mul (local.get $y)
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n)) (i32x4.splat (i32.const 127))) (i32.const 23))))

  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; q·k over hd floats (hd a multiple of 4).
  (func $dot (param $q i32) (param $k i32) (param $hdBytes i32) (result f32)
    (local $s v128) (local $end i32)
    (local.set $end (i32.add (local.get $q) (local.get $hdBytes)))
    (loop $l
      (local.set $s (f32x4.add (local.get $s) (f32x4.mul (v128.load (local.get $q)) (v128.load (local.get $k)))))
      (local.set $q (i32.add (local.get $q) (i32.const 16)))
      (local.set $k (i32.add (local.get $k) (i32.const 16)))
      (br_if $l (i32.lt_u (local.get $q) (local.get $end))))
    (call $hsum (local.get $s)))

;; scores[0..len) := scale * q·K[j]; returns their maximum. Four keys per pass: four independent
  ;; accumulator chains, and each q vector loaded once for all four.
  (func $scores (param $q i32) (param $kp i32) (param $hdBytes i32) (param $len i32) (param $sc i32) (param $scale f32)
      (result f32)
    (local $j i32) (local $d i32) (local $qv v128) (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $k1 i32) (local $k2 i32) (local $k3 i32) (local $mx v128) (local $v v128) (local $len4 i32) (local $s f32) (local $m f32)
    (local.set $mx (f32x4.splat (f32.const -inf)))
    (local.set $len4 (i32.and (local.get $len) (i32.const -4)))
    (block $done4
      (loop $l4
        (br_if $done4 (i32.ge_u (local.get $j) (local.get $len4)))
        (local.set $k1 (i32.add (local.get $kp) (local.get $hdBytes)))
        (local.set $k2 (i32.add (local.get $k1) (local.get $hdBytes)))
        (local.set $k3 (i32.add (local.get $k2) (local.get $hdBytes)))
        (local.set $s0 (v128.const i32x4 0 0 0 0)) (local.set $s1 (v128.const i32x4 0 0 0 0))
        (local.set $s2 (v128.const i32x4 0 0 0 0)) (local.set $s3 (v128.const i32x4 0 0 0 0))
        (local.set $d (i32.const 0))
        (loop $dl
          (local.set $qv (v128.load (i32.add (local.get $q) (local.get $d))))
          (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (local.get $qv) (v128.load (i32.add (local.get $kp) (local.get $d))))))
          (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (local.get $qv) (v128.load (i32.add (local.get $k1) (local.get $d))))))
          (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (local.get $qv) (v128.load (i32.add (local.get $k2) (local.get $d))))))
          (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (local.get $qv) (v128.load (i32.add (local.get $k3) (local.get $d))))))
          (local.set $d (i32.add (local.get $d) (i32.const 16)))
          (br_if $dl (i32.lt_u (local.get $d) (local.get $hdBytes))))
        ;; Transpose-and-add so lane i holds the full sum of s_i: first pair lanes 0+2 and 1+3 of each
        ;; sum ($qv = [s0 s1 s0 s1] partials, $v = [s2 s3 s2 s3] partials), then fold the halves.
        (local.set $qv (f32x4.add
          (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s0) (local.get $s1))
          (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s0) (local.get $s1))))
        (local.set $v (f32x4.add
          (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s2) (local.get $s3))
          (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s2) (local.get $s3))))
        (local.set $v (f32x4.mul (f32x4.splat (local.get $scale))
          (f32x4.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $qv) (local.get $v))
                     (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $qv) (local.get $v)))))
        (v128.store (i32.add (local.get $sc) (i32.shl (local.get $j) (i32.const 2))) (local.get $v))
        (local.set $mx (f32x4.max (local.get $mx) (local.get $v)))
        (local.set $kp (i32.add (local.get $k3) (local.get $hdBytes)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $l4)))
    (local.set $m (f32.max (f32.max (f32x4.extract_lane 0 (local.get $mx)) (f32x4.extract_lane 1 (local.get $mx)))
                           (f32.max (f32x4.extract_lane 2 (local.get $mx)) (f32x4.extract_lane 3 (local.get $mx)))))
    (block $done
      (loop $l1
        (br_if $done (i32.ge_u (local.get $j) (local.get $len)))
        (local.set $s (f32.mul (call $dot (local.get $q) (local.get $kp) (local.get $hdBytes)) (local.get $scale)))
        (f32.store (i32.add (local.get $sc) (i32.shl (local.get $j) (i32.const 2))) (local.get $s))
        (local.set $m (f32.max (local.get $m) (local.get $s)))
        (local.set $kp (i32.add (local.get $kp) (local.get $hdBytes)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $l1)))
    (local.get $m))

  ;; scores := exp(scores - mx) in place; returns the sum. Up to 3 pad slots past len are set to a
  ;; very negative score first, so whole-vector steps add only ~1e-38 each (below float resolution).
  (func $softmax_exp (param $sc i32) (param $len i32) (param $mx f32) (result f32)
    (local $p i32) (local $end i32) (local $e v128) (local $sum v128)
    (local.set $end (i32.add (local.get $sc) (i32.shl (local.get $len) (i32.const 2))))
    (v128.store (local.get $end) (f32x4.splat (f32.const -1e30)))
    (local.set $p (local.get $sc))
    (loop $l
      (local.set $e (call $exp4 (f32x4.sub (v128.load (local.get $p)) (f32x4.splat (local.get $mx)))))
      (v128.store (local.get $p) (local.get $e))
      (local.set $sum (f32x4.add (local.get $sum) (local.get $e)))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br_if $l (i32.lt_u (local.get $p) (local.get $end))))
    (call $hsum (local.get $sum)))

;; out[0..hd) := inv * sum_j w[j] * V[j], four columns at a time. Rows j go four per pass into
  ;; four accumulators, so the adds do not wait on each other.
  (func $weighted_sum (param $w i32) (param $vp i32) (param $hdBytes i32) (param $len i32) (param $out i32) (param $inv f32)
    (local $d i32) (local $j i32) (local $row i32) (local $len4 i32) (local $step4 i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $wp i32)
    (local.set $len4 (i32.and (local.get $len) (i32.const -4)))
    (local.set $step4 (i32.shl (local.get $hdBytes) (i32.const 2)))
    (loop $dl
      (local.set $a0 (v128.const i32x4 0 0 0 0)) (local.set $a1 (v128.const i32x4 0 0 0 0))
      (local.set $a2 (v128.const i32x4 0 0 0 0)) (local.set $a3 (v128.const i32x4 0 0 0 0))
      (local.set $row (i32.add (local.get $vp) (local.get $d)))
      (local.set $wp (local.get $w))
      (local.set $j (i32.const 0))
      (block $done4
        (loop $j4
          (br_if $done4 (i32.ge_u (local.get $j) (local.get $len4)))
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load32_splat (local.get $wp)) (v128.load (local.get $row)))))
          (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.load32_splat offset=4 (local.get $wp))
            (v128.load (i32.add (local.get $row) (local.get $hdBytes))))))
          (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (v128.load32_splat offset=8 (local.get $wp))
            (v128.load (i32.add (local.get $row) (i32.shl (local.get $hdBytes) (i32.const 1)))))))
          (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (v128.load32_splat offset=12 (local.get $wp))
            (v128.load (i32.add (local.get $row) (i32.mul (local.get $hdBytes) (i32.const 3)))))))
          (local.set $row (i32.add (local.get $row) (local.get $step4)))
          (local.set $wp (i32.add (local.get $wp) (i32.const 16)))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $j4)))
      (block $done1
        (loop $j1
          (br_if $done1 (i32.ge_u (local.get $j) (local.get $len)))
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load32_splat (local.get $wp)) (v128.load (local.get $row)))))
          (local.set $row (i32.add (local.get $row) (local.get $hdBytes)))
          (local.set $wp (i32.add (local.get $wp) (i32.const 4)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $j1)))
      (v128.store (i32.add (local.get $out) (local.get $d))
        (f32x4.mul (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (f32x4.add (local.get $a2) (local.get $a3)))
          (f32x4.splat (local.get $inv))))
      (local.set $d (i32.add (local.get $d) (i32.const 16)))
      (br_if $dl (i32.lt_u (local.get $d) (local.get $hdBytes)))))

  ;; For n query rows at positions pos0.., each of nh local query heads (head h reads KV head h/group):
  ;; out[t][h] = softmax(q·K^T * scale) · V over cache rows 0..pos0+t.
  ;; scratch holds maxSeq + 4 floats.
  (func (export "attention") (param $q i32) (param $ldq i32) (param $kc i32) (param $vc i32) (param $headStride i32)
      (param $out i32) (param $ldo i32) (param $n i32) (param $pos0 i32) (param $nh i32) (param $group i32)
      (param $hd i32) (param $scratch i32) (param $scale f32)
    (local $t i32) (local $h i32) (local $len i32) (local $hdBytes i32) (local $kvOff i32) (local $mx f32) (local $sum f32)
    (local $qrow i32) (local $orow i32)
    (local.set $hdBytes (i32.shl (local.get $hd) (i32.const 2)))
    (loop $tl
      (local.set $len (i32.add (i32.add (local.get $pos0) (local.get $t)) (i32.const 1)))
      (local.set $qrow (i32.add (local.get $q) (i32.mul (local.get $t) (local.get $ldq))))
      (local.set $orow (i32.add (local.get $out) (i32.mul (local.get $t) (local.get $ldo))))
      (local.set $h (i32.const 0))
      (loop $hl
        (local.set $kvOff (i32.mul (i32.div_u (local.get $h) (local.get $group)) (local.get $headStride)))
        (local.set $mx (call $scores (i32.add (local.get $qrow) (i32.mul (local.get $h) (local.get $hdBytes)))
          (i32.add (local.get $kc) (local.get $kvOff)) (local.get $hdBytes) (local.get $len) (local.get $scratch) (local.get $scale)))
        (local.set $sum (call $softmax_exp (local.get $scratch) (local.get $len) (local.get $mx)))
        (call $weighted_sum (local.get $scratch) (i32.add (local.get $vc) (local.get $kvOff)) (local.get $hdBytes) (local.get $len)
          (i32.add (local.get $orow) (i32.mul (local.get $h) (local.get $hdBytes))) (f32.div (f32.const 1) (local.get $sum)))
        (local.set $h (i32.add (local.get $h) (i32.const 1)))
        (br_if $hl (i32.lt_u (local.get $h) (local.get $nh))))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br_if $tl (i32.lt_u (local.get $t) (local.get $n)))))
)
