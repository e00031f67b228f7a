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

  ;; scores[0..len) := scale * q·K[j]; returns their maximum.
  (func $scores (param $q i32) (param $kp i32) (param $hdBytes i32) (param $len i32) (param $sc i32) (param $scale f32)
      (result f32)
    (local $j i32) (local $s f32) (local $mx f32)
    (local.set $mx (f32.const -inf))
    (loop $l
      (local.set $s (f32.mul (call $dot (local.get $q) (local.get $kp) (local.get $hdBytes)) (local.get $scale)))
      (f32.store (i32.add (local.get $sc) (i32.shl (local.get $j) (i32.const 2))) (local.get $s))
      (local.set $mx (f32.max (local.get $mx) (local.get $s)))
      (local.set $kp (i32.add (local.get $kp) (local.get $hdBytes)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $j) (local.get $len))))
    (local.get $mx))

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

  ;; out[0..hd) := inv * sum_j w[j] * V[j]; four columns at a time, all rows j per column group.
  (func $weighted_sum (param $w i32) (param $vp i32) (param $hdBytes i32) (param $len i32) (param $out i32) (param $inv f32)
    (local $d i32) (local $j i32) (local $acc v128) (local $row i32)
    (loop $dl
      (local.set $acc (v128.const i32x4 0 0 0 0))
      (local.set $row (i32.add (local.get $vp) (local.get $d)))
      (local.set $j (i32.const 0))
      (loop $jl
        (local.set $acc (f32x4.add (local.get $acc)
          (f32x4.mul (v128.load32_splat (i32.add (local.get $w) (i32.shl (local.get $j) (i32.const 2))))
            (v128.load (local.get $row)))))
        (local.set $row (i32.add (local.get $row) (local.get $hdBytes)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $jl (i32.lt_u (local.get $j) (local.get $len))))
      (v128.store (i32.add (local.get $out) (local.get $d)) (f32x4.mul (local.get $acc) (f32x4.splat (local.get $inv))))
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
