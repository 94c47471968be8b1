"""Chapter 2.1 as a small class, the way I would write it at work."""
import numpy as np


class LinearBP:
    """z = x*y with x = 2w + 3b and y = 2b + 1; move w and b until z hits the target."""

    def __init__(self, w, b, target, eps=1e-5):
        self.w = w
        self.b = b
        self.t = target
        self.eps = eps

    def forward(self):
        self.x = 2 * self.w + 3 * self.b
        self.y = 2 * self.b + 1
        self.z = self.x * self.y
        return self.z

    def factors(self):
        return 2 * self.x + 3 * self.y, 2 * self.y

    def step(self, delta_z):
        factor_b, factor_w = self.factors()
        delta_b = delta_z / factor_b / 2
        delta_w = delta_z / factor_w / 2
        print("factor_b=%f, factor_w=%f, delta_b=%f, delta_w=%f" % (factor_b, factor_w, delta_b, delta_w))
        self.b -= delta_b
        self.w -= delta_w

    def run(self):
        print("double variable new: w, b -----")
        while True:
            delta_z = self.forward() - self.t
            print("w=%f,b=%f,z=%f,delta_z=%f" % (self.w, self.b, self.z, delta_z))
            if abs(delta_z) < self.eps:
                break
            self.step(delta_z)
        print("done!")
        print("final b=%f" % self.b)
        print("final w=%f" % self.w)
        return self.w, self.b


def double_variable_new(w, b, t):
    LinearBP(w, b, t).run()


DZ_DB = "2*x + 3*y"
HAND_ITERATIONS = [
    {"factor_b": 60.714286, "delta_b": 0.003585, "b": 3.805938, "z": 150.000077, "delta_z": 0.000077},
    {"factor_b": 60.671261, "delta_b": 0.000001, "b": 3.805937, "z": 150.0, "delta_z": 0.0},
]
