# A correct submission in another style: f-strings, other key order and spacing,
# scientific notation, the derivative in w and b only, a hand table rounded differently.
import math

DZ_DB = "4w + 12b + 3"

HAND_ITERATIONS = [
    dict(delta_z=7.7e-05, z=150.000077, b=3.8059384, delta_b=0.0035856, factor_b=60.7143),
    dict(delta_z=0.0, z=150.0, b=3.8059371, delta_b=1.3e-06, factor_b=60.67128),
]


def double_variable_new(w, b, t):
    z = (2 * w + 3 * b) * (2 * b + 1)
    while not math.isclose(z, t, abs_tol=1e-5) or abs(z - t) >= 1e-5:
        x, y = 2 * w + 3 * b, 2 * b + 1
        z = x * y
        dz = z - t
        print(f"delta_z = {dz:.8e}, z = {z:.8f}, b = {b:.8f}, w = {w:.8f}")
        if abs(dz) < 1e-5:
            break
        fb, fw = 2 * x + 3 * y, 2 * y
        db, dw = dz / fb / 2, dz / fw / 2
        print(f"delta_w = {dw:.8f}, delta_b = {db:.8f}, factor_w = {fw:.8f}, factor_b = {fb:.8f}")
        w, b = w - dw, b - db
    print("done!")
    print(f"final w = {w:.7f}")
    print(f"final b = {b:.7f}")
