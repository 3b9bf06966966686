"""BG/NBD, MBG/NBD and Pareto/NBD against the published CDNOW numbers, plus numerical checks."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import integrate
from scipy.special import hyp2f1

from netanalytics.metrics.btyd import (
    BGNBDFit,
    MBGNBDFit,
    ParetoNBDFit,
    _a0_quadrature,
    fit_bgnbd,
    fit_mbgnbd,
    fit_paretonbd,
)

CDNOW = Path(__file__).resolve().parents[1] / "data" / "cdnow_customers_summary.csv"


@pytest.fixture(scope="module")
def cdnow():
    d = pd.read_csv(CDNOW)
    assert len(d) == 2357
    return d["frequency"].to_numpy(float), d["recency"].to_numpy(float), d["T"].to_numpy(float)


@pytest.fixture(scope="module")
def bg(cdnow):
    return fit_bgnbd(*cdnow)


def test_bgnbd_mle_on_cdnow(bg):
    p = bg.params_
    print("BG/NBD CDNOW:", p, "LL", bg.log_likelihood_)
    assert p["r"] == pytest.approx(0.243, abs=1e-3)
    assert p["alpha"] == pytest.approx(4.414, abs=1e-3)
    assert p["a"] == pytest.approx(0.793, abs=1e-3)
    assert p["b"] == pytest.approx(2.426, abs=1e-3)
    assert bg.log_likelihood_ == pytest.approx(-9582.4, abs=0.1)
    assert bg.converged_ and bg.n_ == 2357


def test_bgnbd_conditional_expectation_hardie_example(bg):
    e = float(bg.expected_purchases(39, 2, 30.43, 38.86))
    print("BG/NBD E[Y(39) | 2, 30.43, 38.86] =", e)
    assert e == pytest.approx(1.226, abs=1e-3)


def test_bgnbd_p_alive_is_one_without_repeat(bg):
    assert bg.p_alive(0, 0, 38.86) == pytest.approx(1.0)
    assert 0 < float(bg.p_alive(2, 5.0, 38.86)) < 1


def test_paretonbd_p_alive_published():
    m = ParetoNBDFit.from_params(r=0.5534, alpha=10.5802, s=0.6061, beta=11.6562)
    p = float(m.p_alive(26, 30.86, 31))
    print("Pareto/NBD P(alive | 26, 30.86, 31) =", p)
    assert p == pytest.approx(0.9979, abs=1e-4)


def test_paretonbd_mle_on_cdnow(cdnow):
    fit = fit_paretonbd(*cdnow)
    print("Pareto/NBD CDNOW:", fit.params_, "LL", fit.log_likelihood_)
    assert fit.log_likelihood_ == pytest.approx(-9595.0, abs=0.5)
    # Fader & Hardie's estimates: r = 0.553, alpha = 10.58, s = 0.606, beta = 11.67.
    assert fit.params_["r"] == pytest.approx(0.553, abs=2e-3)
    assert fit.params_["s"] == pytest.approx(0.606, abs=2e-3)


@pytest.mark.parametrize(
    ("r", "alpha", "s", "beta"),
    [
        (0.553, 10.58, 0.606, 11.67),  # the CDNOW optimum
        (1.48, 26.3, 1e-4, 1e4),  # no drop-out: z near 1, where the fit on mail ends
        (0.05, 10, 5, 0.1),  # alpha > beta
        (0.05, 0.1, 0.05, 1000),  # alpha << beta
        (0.5, 10, 0.5, 10),  # alpha == beta
    ],
)
def test_paretonbd_gradient_matches_central_differences(cdnow, r, alpha, s, beta):
    # the fit's value and analytic gradient (by log-parameters, A0 and its derivatives by quadrature)
    # against the 2F1 log-likelihood and its central differences, summed over CDNOW
    x, t_x, T = cdnow
    logp = np.log([r, alpha, s, beta])
    ll, grad = ParetoNBDFit._loglik_and_grad(tuple(np.exp(logp)), x, t_x, T)
    exact = ParetoNBDFit._loglik(tuple(np.exp(logp)), x, t_x, T)
    # A0 by quadrature, not 2F1 (which is itself off by up to ~1e-11 relative at some of these points)
    assert np.max(np.abs(ll - exact) / np.abs(exact)) < 1e-9
    h = 1e-5
    for j in range(4):
        step = np.zeros(4)
        step[j] = h
        up = ParetoNBDFit._loglik(tuple(np.exp(logp + step)), x, t_x, T).sum()
        down = ParetoNBDFit._loglik(tuple(np.exp(logp - step)), x, t_x, T).sum()
        central = (up - down) / (2 * h)
        assert grad[:, j].sum() == pytest.approx(central, rel=1e-5, abs=1e-4)


def test_paretonbd_fit_on_cdnow_same_with_and_without_gradient(cdnow, monkeypatch):
    # the analytic gradient only changes how L-BFGS-B gets there, not where: finite differences
    # (HAS_GRADIENT off) reach the same optimum to 1e-4 relative and log-likelihood to 1e-6
    with_grad = fit_paretonbd(*cdnow)
    monkeypatch.setattr(ParetoNBDFit, "HAS_GRADIENT", False)
    without = fit_paretonbd(*cdnow)
    for k in ("r", "alpha", "s", "beta"):
        assert with_grad.params_[k] == pytest.approx(without.params_[k], rel=1e-4)
    assert with_grad.log_likelihood_ == pytest.approx(without.log_likelihood_, abs=1e-6)


def test_mbgnbd_mle_on_cdnow(cdnow):
    fit = fit_mbgnbd(*cdnow)
    p = fit.params_
    print("MBG/NBD CDNOW:", p, "LL", fit.log_likelihood_)
    # Published (Batislam et al. / lifetimes docs) to 2-3 digits; we meet 1e-2.
    assert p["r"] == pytest.approx(0.525, abs=1e-2)
    assert p["alpha"] == pytest.approx(6.18, abs=1e-2)
    assert p["a"] == pytest.approx(0.891, abs=1e-2)
    assert p["b"] == pytest.approx(1.61, abs=1e-2)
    assert float(fit.p_alive(0, 0, 38.86)) < 1.0


def test_total_log_likelihood_equals_sum_of_rows(cdnow, bg):
    assert bg.log_likelihood(*cdnow).sum() == pytest.approx(bg.log_likelihood_, abs=1e-6)


def test_warm_start_reaches_same_optimum(cdnow, bg):
    fit = fit_bgnbd(*cdnow, start={"r": 0.3, "alpha": 5.0, "a": 1.0, "b": 3.0})
    assert fit.log_likelihood_ == pytest.approx(bg.log_likelihood_, abs=1e-3)


def test_paretonbd_a0_matches_numerical_integral_on_extreme_grid():
    # Large x, tiny/huge alpha and beta: 2F1 alone fails on some of these; result must not.
    x = np.array([0, 1, 10, 100, 1000, 5000, 1000, 0], dtype=float)
    t_x = np.array([0, 1, 10, 49.9, 300, 999, 1, 0], dtype=float)
    T = np.array([0.5, 2, 50, 50, 1000, 1000, 2, 1000], dtype=float)
    worst = worst_quadrature = 0.0
    for r, alpha, s, beta in [
        (0.05, 0.1, 0.05, 1000),
        (0.05, 10, 5, 0.1),
        (5, 1000, 100, 0.1),
        (0.5, 10, 0.5, 10),
    ]:
        got = ParetoNBDFit._log_a0((r, alpha, s, beta), x, t_x, T)
        # the fit's quadrature for log A0 = log(r + s + x) + log I, rows with t_x < T (the last has T = t_x)
        k = t_x < T
        quad_i = _a0_quadrature((r, alpha, s, beta), x[k], t_x[k], T[k])[0]
        by_quadrature = np.full(len(x), np.nan)
        by_quadrature[k] = np.log(r + s + x[k]) + quad_i
        for i in range(len(x)):
            k1, k2 = r + x[i], s + 1

            def f(u, i=i, k1=k1, k2=k2, alpha=alpha, beta=beta):
                return np.exp(
                    -k1 * np.log((alpha + u) / (alpha + t_x[i])) - k2 * np.log((beta + u) / (beta + t_x[i]))
                )

            rate = k1 / (alpha + t_x[i]) + k2 / (beta + t_x[i])
            pts = [t_x[i] + j / rate for j in (1, 10, 100) if t_x[i] + j / rate < T[i]] or None
            val, _ = integrate.quad(f, t_x[i], T[i], points=pts, limit=500, epsabs=0, epsrel=1e-11)
            ref = (
                np.log(r + s + x[i]) + np.log(val) - k1 * np.log(alpha + t_x[i]) - k2 * np.log(beta + t_x[i])
            )
            worst = max(worst, abs(got[i] - ref) / max(1.0, abs(ref)))
            worst_quadrature = max(worst_quadrature, abs(by_quadrature[i] - ref) / max(1.0, abs(ref)))
        m = ParetoNBDFit.from_params(r=r, alpha=alpha, s=s, beta=beta)
        p = m.p_alive(x, t_x, T)
        assert np.all((p >= 0) & (p <= 1))
        assert np.all(np.isfinite(m.log_likelihood(x, t_x, T)))
    print(
        "Pareto/NBD log A0, worst relative error vs quad:",
        worst,
        "by the fit's quadrature:",
        worst_quadrature,
    )
    assert worst < 1e-8
    assert worst_quadrature < 1e-8


def test_paretonbd_log_a0_on_repeated_rows_equals_row_by_row():
    # 2F1 is evaluated once per distinct (x, t) pair and spread back: the same values, bit for bit,
    # as each row alone (repeats, a row sharing x and t_x but not T, scalars, a 2-d input)
    x = np.array([0, 0, 3, 3, 3, 7, 0], dtype=float)
    t_x = np.array([0, 0, 5, 5, 5, 30, 0], dtype=float)
    T = np.array([20, 20, 20, 31, 20, 31, 31], dtype=float)
    for p in [(0.55, 10.6, 0.6, 11.7), (1.48, 26.3, 1e-4, 1e4), (0.05, 10, 5, 0.1)]:
        together = ParetoNBDFit._log_a0(p, x, t_x, T)
        alone = [
            float(ParetoNBDFit._log_a0(p, *map(np.asarray, (x[i], t_x[i], T[i])))) for i in range(len(x))
        ]
        assert together.tolist() == alone
        grid = ParetoNBDFit._log_a0(p, x.reshape(1, -1), t_x.reshape(1, -1), T.reshape(1, -1))
        assert grid.shape == (1, 7)
        assert grid.ravel().tolist() == alone


def test_paretonbd_p_alive_is_one_when_last_contact_is_now():
    m = ParetoNBDFit.from_params(r=0.55, alpha=10.6, s=0.6, beta=11.7)
    assert float(m.p_alive(3, 20.0, 20.0)) == 1.0


def test_expectation_transforms_match_direct_formula():
    # The Euler-transformed forms equal the textbook formulas where those do not overflow.
    bg = BGNBDFit.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    mbg = MBGNBDFit.from_params(r=0.525, alpha=6.183, a=0.891, b=1.614)
    t, x, t_x, T = 39.0, np.array([0.0, 1, 5, 20]), np.array([0.0, 10, 30, 37]), np.array([38.86] * 4)
    r, al, a, b = 0.243, 4.414, 0.793, 2.426
    z = t / (al + T + t)
    direct_bg = (
        (a + b + x - 1)
        / (a - 1)
        * (1 - ((al + T) / (al + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z))
        * bg.p_alive(x, t_x, T)
    )
    r, al, a, b = 0.525, 6.183, 0.891, 1.614
    z = t / (al + T + t)
    direct_mbg = (
        (a + b + x)
        / (a - 1)
        * (1 - ((al + T) / (al + T + t)) ** (r + x) * hyp2f1(r + x, b + x + 1, a + b + x, z))
        * mbg.p_alive(x, t_x, T)
    )
    np.testing.assert_allclose(bg.expected_purchases(t, x, t_x, T), direct_bg, rtol=1e-10)
    np.testing.assert_allclose(mbg.expected_purchases(t, x, t_x, T), direct_mbg, rtol=1e-10)
    big = bg.expected_purchases(t, 3000.0, 700.0, 700.0)
    assert np.isfinite(big) and big > 0


def test_paretonbd_expectation_limit_s_equal_one():
    near = ParetoNBDFit.from_params(r=0.5, alpha=10, s=1 + 1e-7, beta=12).expected_purchases(10, 2, 5, 20)
    at = ParetoNBDFit.from_params(r=0.5, alpha=10, s=1.0, beta=12).expected_purchases(10, 2, 5, 20)
    assert float(at) == pytest.approx(float(near), rel=1e-5)


@pytest.mark.parametrize(
    "x, t_x, T, match",
    [
        ([-1], [0], [5], ">= 0"),
        ([1], [6], [5], "exceed T"),
        ([0], [2], [5], "must be 0"),
        ([np.nan], [0], [5], "finite"),
    ],
)
def test_bad_summaries_are_rejected(x, t_x, T, match):
    with pytest.raises(ValueError, match=match):
        fit_bgnbd(x, t_x, T)


def test_from_params_checks_names_and_sign():
    with pytest.raises(TypeError, match="missing"):
        ParetoNBDFit.from_params(r=1, alpha=1, s=1)
    with pytest.raises(ValueError, match="positive"):
        BGNBDFit.from_params(r=1, alpha=-1, a=1, b=1)
