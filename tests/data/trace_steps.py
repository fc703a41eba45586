"""Labelled steps for the trace audit: (problem, working, label of its LAST step).

Labels are decided by hand (expanding, differentiating, checking shapes on
paper), never by running dlcheck: "wrong" for a step with an error, "sound"
for a correct one. Each working is a short derivation in the style of the
seeds; the earlier lines only set the scene."""

RMS = "csc413-a2/1.2.1"        # scalars; X = [[2, 1]], t = [2] from the problem
PROOF = "csc413-a2/1.1.1"      # X is n×d (d > n), t ∈ Rⁿ, w, w*, ŵ ∈ Rᵈ
STEP = "csc413-a2/2.2.1"       # X, w_0, t, a = Xw_0 − t, w_1 ∈ Rᵈ
ETA = "csc413-a2/2.2.3"        # the same, η* is the answer
DECAY = "csc413-a2/2.3.2"      # λ̃ is the answer (λ/2η)

STEPS = [
    # -- a name restated on the next line (scalars) -------------------------
    (RMS, "$$L(x) = (x + 1)^2$$\n$$L(x) = x^2 + 2x + 1$$", "sound"),
    (RMS, "$$L(x) = (x + 1)^2$$\n$$L(x) = x^2 + x + 1$$", "wrong"),
    (RMS, "$$f(u) = (u - v)(u + v)$$\n$$f(u) = u^2 - v^2$$", "sound"),
    (RMS, "$$f(u) = (u - v)(u + v)$$\n$$f(u) = u^2 + v^2$$", "wrong"),
    (RMS, "$$g = \\frac{1}{2}(2y)^2$$\nso\n$$g = 2y^2$$", "sound"),
    (RMS, "$$g = \\frac{1}{2}(2y)^2$$\nso\n$$g = 4y^2$$", "wrong"),
    (RMS, "$$L(\\alpha) = (2\\alpha - 2)^2 + (\\alpha - 2)^2$$\n$$L(\\alpha) = 5\\alpha^2 - 12\\alpha + 8$$", "sound"),
    (RMS, "$$L(\\alpha) = (2\\alpha - 2)^2 + (\\alpha - 2)^2$$\n$$L(\\alpha) = 5\\alpha^2 - 16\\alpha + 8$$", "wrong"),
    (RMS, "$$h(z) = \\exp(2 \\log z)$$\n$$h(z) = z^2$$", "sound"),
    (RMS, "$$h(z) = \\frac{z^2 - 1}{z - 1}$$\n$$h(z) = z - 1$$", "wrong"),
    # -- chains in one row ----------------------------------------------------
    (RMS, "$$q = (a + b)^2 = a^2 + 2ab + b^2$$", "sound"),
    (RMS, "$$q = (a + b)^2 = a^2 + ab + b^2$$", "wrong"),
    (RMS, "$$r = \\frac{a}{b} \\cdot \\frac{b}{c} = \\frac{a}{c}$$", "sound"),
    (RMS, "$$r = \\frac{a + b}{c} = \\frac{a}{c} + b$$", "wrong"),
    (RMS, "\\begin{aligned} s &= 3(x - 1) - 2x \\\\ &= x - 3 \\end{aligned}", "sound"),
    (RMS, "\\begin{aligned} s &= 3(x - 1) - 2x \\\\ &= x - 1 \\end{aligned}", "wrong"),
    (RMS, "$$k = \\sqrt{4 y^2} = 2|y|$$", "sound"),
    (RMS, "$$k = (y^2)^3 = y^5$$", "wrong"),
    # -- derivatives ----------------------------------------------------------
    (RMS, "$$L(\\alpha) = 5\\alpha^2 - 16\\alpha + 8$$\n$$L'(\\alpha) = 10\\alpha - 16$$", "sound"),
    (RMS, "$$L(\\alpha) = 5\\alpha^2 - 16\\alpha + 8$$\n$$L'(\\alpha) = 5\\alpha - 16$$", "wrong"),
    (RMS, "$$f(x) = x^3 - 3x$$\n$$f'(x) = 3x^2 - 3$$", "sound"),
    (RMS, "$$f(x) = x^3 - 3x$$\n$$f'(x) = 3x^2 - 3x$$", "wrong"),
    (RMS, "$$g(w) = \\exp(2w)$$\n$$g'(w) = 2\\exp(2w)$$", "sound"),
    (RMS, "$$g(w) = \\log(w^2)$$\n$$g'(w) = \\frac{1}{w^2}$$", "wrong"),
    # -- setting a derivative to zero -------------------------------------------
    (RMS, "$$L'(\\alpha) = 10\\alpha - 16$$\nSetting it to zero:\n$$\\alpha = 1.6$$", "sound"),
    (RMS, "$$L'(\\alpha) = 10\\alpha - 12$$\nSetting it to zero:\n$$\\alpha = 1.2$$", "sound"),
    (RMS, "$$f'(x) = 3x^2 - 3$$\nso the minimum is at\n$$x = 1$$", "sound"),
    # -- stating the answer -----------------------------------------------------
    (DECAY, "Matching the coefficients, $\\tilde\\lambda = \\frac{\\lambda}{2\\eta}$.", "sound"),
    (DECAY, "Matching the coefficients, $\\tilde\\lambda = \\lambda / n$.", "wrong"),
    (DECAY, "Matching the coefficients, $\\tilde\\lambda = \\frac{\\lambda}{\\eta}$.", "wrong"),
    (DECAY, "Matching the coefficients, $\\tilde{\\lambda} = \\lambda (2\\eta)^{-1}$.", "sound"),
    (ETA, "$$\\eta = \\frac{n}{2} \\frac{\\|X^T a\\|_2^2}{\\|X X^T a\\|_2^2}$$", "sound"),
    (ETA, "$$\\eta = n \\frac{\\|X^T a\\|_2^2}{\\|X X^T a\\|_2^2}$$", "wrong"),
    (ETA, "$$\\eta^* = \\frac{n a^T X X^T a}{2 a^T X X^T X X^T a}$$", "sound"),
    (ETA, "$$\\eta^* = \\frac{n \\|a\\|^2}{2 \\|X^T a\\|^2}$$", "wrong"),
    # -- equations to solve, checked at the correct unknown ----------------------
    (DECAY, "The updates agree when $1 - 2\\eta\\tilde\\lambda = 1 - \\lambda$.", "sound"),
    (DECAY, "The updates agree when $1 - \\eta\\tilde\\lambda = 1 - \\lambda$.", "wrong"),
    (DECAY, "so that $2\\eta\\tilde\\lambda = \\lambda$", "sound"),
    (DECAY, "so that $\\eta\\tilde\\lambda = 2\\lambda$", "wrong"),
    (ETA, "$$\\frac{2\\eta}{n} \\|X X^T a\\|_2^2 = \\|X^T a\\|_2^2$$", "sound"),
    (ETA, "$$\\frac{\\eta}{n} \\|X X^T a\\|_2^2 = \\|X^T a\\|_2^2$$", "wrong"),
    (ETA, "$$0 = \\left(a^T - \\frac{2\\eta}{n} a^T X X^T\\right)(X X^T a)$$", "sound"),
    (ETA, "$$0 = \\left(a^T - \\frac{\\eta}{n} a^T X X^T\\right)(X X^T a)$$", "wrong"),
    # -- shapes -------------------------------------------------------------------
    (PROOF, "Since X is full rank, $$\\hat w = X^{-1} t$$", "wrong"),
    (PROOF, "$$\\hat w = X^T (X X^T)^{-1} t$$", "sound"),
    (PROOF, "Multiplying by the inverse, $$w^* = (X^T X)^{-1} X^T t$$", "sound"),
    (PROOF, "$$w^* = X^T t$$", "sound"),
    (STEP, "$$L_1 = \\frac{1}{n} (\\|a\\|^2 - 2\\eta a^T X^T a)$$", "wrong"),
    (STEP, "$$w_1 = w_0 - \\frac{2\\eta}{n} X^T a$$", "sound"),
    (STEP, "$$w_1 = w_0 - \\frac{2\\eta}{n} X a$$", "wrong"),
    (STEP, "$$w_1 = w_0 - \\frac{2\\eta}{n} (X^T a + X)$$", "wrong"),
    # -- matrix algebra against the derivation's own facts ----------------------------
    (STEP, "$$w_1 = w_0 - \\eta X^T (X w_0 - t)$$", "wrong"),
    (STEP, "$$w_1 = w_0 - \\eta \\frac{2}{n} X^T (X w_0 - t)$$", "sound"),
    (STEP, "$$w_1 = w_0 - \\frac{2\\eta}{n} X^T a$$\n$$L_1 = \\frac{1}{n} \\|X w_1 - t\\|^2$$", "sound"),
    (STEP, "$$L_1 = \\frac{1}{n} \\|a - \\frac{2\\eta}{n} X X^T a\\|^2$$", "sound"),
    (STEP, "$$L_1 = \\frac{1}{n} \\|a - \\frac{\\eta}{n} X X^T a\\|^2$$", "wrong"),
    (STEP, "$$L_1 = \\frac{1}{n} \\|a - \\frac{2\\eta}{n} X^T X a\\|^2$$", "wrong"),
    (STEP, "\\begin{aligned} w_1 &= w_0 - \\frac{2\\eta}{n} X^T (X w_0 - t) \\\\ &= w_0 - \\frac{2\\eta}{n} X^T a \\end{aligned}", "sound"),
    (STEP, "\\begin{aligned} w_1 &= w_0 - \\frac{2\\eta}{n} X^T (X w_0 - t) \\\\ &= w_0 - \\frac{2\\eta}{n} X^T X a \\end{aligned}", "wrong"),
    # -- numbers ----------------------------------------------------------------------
    (RMS, "Therefore the minimum norm solution is $w^* = [0.8, 0.4]$.", "sound"),
    (RMS, "Therefore the minimum norm solution is $w^* = [3.2, 1.6]$.", "wrong"),
    (RMS, "With beta = 0.9, eta = 0.1, epsilon = 1e-8 from w0 = [0, 0]:\nw1 = [0.31622777, 0.31622777]", "sound"),
    (RMS, "With beta = 0.9, eta = 0.1, epsilon = 1e-8 from w0 = [0, 0]:\nw1 = [0.26666667, 0.13333333]", "wrong"),
    (RMS, "$$3 \\times 3 \\times 32 \\times 64 = 18432$$", "sound"),
    (RMS, "$$3 \\times 3 \\times 32 \\times 64 = 18482$$", "wrong"),
    (RMS, "$$\\text{neurons} = 32768 + 8192 + 16384 + 4096 + 192 = 61632$$", "sound"),
    (RMS, "$$\\text{neurons} = 32768 + 8192 + 16384 = 57000$$", "wrong"),
]
