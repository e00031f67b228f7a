;; Row-wise and element-wise kernels: RMSNorm, gated SiLU, rotary embedding, residual sums.
;; f32x4 SIMD; addresses and strides in bytes; every length is a multiple of 4 floats.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; exp(x) for 4 lanes, the same Cephes expf as attention.wat (wasm modules cannot share code
  ;; without a call through an import, which would cost more than these 20 lines).
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

  ;; out[r] = x[r] / sqrt(mean(x[r]^2) + eps) * w, for `rows` rows of n floats.
  (func (export "rmsnorm") (param $x i32) (param $ldx i32) (param $w i32) (param $out i32) (param $ldo i32)
      (param $rows i32) (param $n i32) (param $eps f32)
    (local $r i32) (local $i i32) (local $nb i32) (local $ss v128) (local $v v128) (local $inv f32)
    (local.set $nb (i32.shl (local.get $n) (i32.const 2)))
    (loop $rl
      (local.set $ss (v128.const i32x4 0 0 0 0))
      (local.set $i (i32.const 0))
      (loop $sl
        (local.set $v (v128.load (i32.add (local.get $x) (local.get $i))))
        (local.set $ss (f32x4.add (local.get $ss) (f32x4.mul (local.get $v) (local.get $v))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br_if $sl (i32.lt_u (local.get $i) (local.get $nb))))
      (local.set $inv (f32.div (f32.const 1)
        (f32.sqrt (f32.add (f32.div
          (f32.add (f32.add (f32x4.extract_lane 0 (local.get $ss)) (f32x4.extract_lane 1 (local.get $ss)))
                   (f32.add (f32x4.extract_lane 2 (local.get $ss)) (f32x4.extract_lane 3 (local.get $ss))))
          (f32.convert_i32_u (local.get $n))) (local.get $eps)))))
      (local.set $v (f32x4.splat (local.get $inv)))
      (local.set $i (i32.const 0))
      (loop $wl
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.mul (f32x4.mul (v128.load (i32.add (local.get $x) (local.get $i))) (local.get $v))
            (v128.load (i32.add (local.get $w) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br_if $wl (i32.lt_u (local.get $i) (local.get $nb))))
      (local.set $x (i32.add (local.get $x) (local.get $ldx)))
      (local.set $out (i32.add (local.get $out) (local.get $ldo)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $rl (i32.lt_u (local.get $r) (local.get $rows)))))

  ;; out[r][i] = silu(g[r][i]) * u[r][i], gate at row start, up `upOff` bytes further in the same row.
  (func (export "silu_mul") (param $g i32) (param $ldg i32) (param $upOff i32) (param $out i32) (param $ldo i32)
      (param $rows i32) (param $n i32)
    (local $r i32) (local $i i32) (local $nb i32) (local $x v128) (local $sig v128)
    (local.set $nb (i32.shl (local.get $n) (i32.const 2)))
    (loop $rl
      (local.set $i (i32.const 0))
      (loop $l
        (local.set $x (v128.load (i32.add (local.get $g) (local.get $i))))
        (local.set $sig (f32x4.div (f32x4.splat (f32.const 1))
          (f32x4.add (f32x4.splat (f32.const 1)) (call $exp4 (f32x4.neg (local.get $x))))))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.mul (f32x4.mul (local.get $x) (local.get $sig))
            (v128.load (i32.add (i32.add (local.get $g) (local.get $upOff)) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br_if $l (i32.lt_u (local.get $i) (local.get $nb))))
      (local.set $g (i32.add (local.get $g) (local.get $ldg)))
      (local.set $out (i32.add (local.get $out) (local.get $ldo)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $rl (i32.lt_u (local.get $r) (local.get $rows)))))

  ;; Rotary embedding ("rotate half" pairing i with i + hd/2) for nh contiguous heads of one token:
  ;; dst head h (at dst + h*dstStride) = rotate(src head h) with this position's cos/sin rows (hd/2 each).
  ;; In-place use (dst == src, dstStride == hd*4) is fine: each lane is read before it is written.
  (func (export "rope") (param $src i32) (param $dst i32) (param $dstStride i32) (param $nh i32) (param $hd i32)
      (param $cos i32) (param $sin i32)
    (local $h i32) (local $i i32) (local $half i32) (local $x1 v128) (local $x2 v128) (local $c v128) (local $s v128)
    (local $sp i32) (local $dp i32)
    (local.set $half (i32.shl (local.get $hd) (i32.const 1)))
    (loop $hl
      (local.set $sp (i32.add (local.get $src) (i32.mul (local.get $h) (i32.shl (local.get $hd) (i32.const 2)))))
      (local.set $dp (i32.add (local.get $dst) (i32.mul (local.get $h) (local.get $dstStride))))
      (local.set $i (i32.const 0))
      (loop $il
        (local.set $x1 (v128.load (i32.add (local.get $sp) (local.get $i))))
        (local.set $x2 (v128.load (i32.add (i32.add (local.get $sp) (local.get $half)) (local.get $i))))
        (local.set $c (v128.load (i32.add (local.get $cos) (local.get $i))))
        (local.set $s (v128.load (i32.add (local.get $sin) (local.get $i))))
        (v128.store (i32.add (local.get $dp) (local.get $i))
          (f32x4.sub (f32x4.mul (local.get $x1) (local.get $c)) (f32x4.mul (local.get $x2) (local.get $s))))
        (v128.store (i32.add (i32.add (local.get $dp) (local.get $half)) (local.get $i))
          (f32x4.add (f32x4.mul (local.get $x2) (local.get $c)) (f32x4.mul (local.get $x1) (local.get $s))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br_if $il (i32.lt_u (local.get $i) (local.get $half))))
      (local.set $h (i32.add (local.get $h) (i32.const 1)))
      (br_if $hl (i32.lt_u (local.get $h) (local.get $nh)))))

  ;; Copies nh contiguous heads of hd floats to dst + h*dstStride (values into the V cache).
  (func (export "scatter_heads") (param $src i32) (param $dst i32) (param $dstStride i32) (param $nh i32) (param $hd i32)
    (local $h i32) (local $hdBytes i32)
    (local.set $hdBytes (i32.shl (local.get $hd) (i32.const 2)))
    (loop $hl
      (memory.copy (i32.add (local.get $dst) (i32.mul (local.get $h) (local.get $dstStride)))
        (i32.add (local.get $src) (i32.mul (local.get $h) (local.get $hdBytes))) (local.get $hdBytes))
      (local.set $h (i32.add (local.get $h) (i32.const 1)))
      (br_if $hl (i32.lt_u (local.get $h) (local.get $nh)))))

  ;; dst[0..n) += src[0..n): one term of the shared-memory all-reduce.
  (func (export "add_into") (param $dst i32) (param $src i32) (param $n i32)
    (local $i i32) (local $nb i32)
    (local.set $nb (i32.shl (local.get $n) (i32.const 2)))
    (loop $l
      (v128.store (i32.add (local.get $dst) (local.get $i))
        (f32x4.add (v128.load (i32.add (local.get $dst) (local.get $i))) (v128.load (i32.add (local.get $src) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $nb)))))
)
