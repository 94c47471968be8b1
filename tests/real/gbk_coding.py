# -*- coding: gbk -*-
# 第二章 线性反向传播 课堂练习
# 作者: 学生甲
import numpy as np

# 练习一: z 对 b 的偏导, 两条路径相加
DZ_DB = "2*x + 3*y"

# 练习二: 从 b=3.809524 开始再手算两次
HAND_ITERATIONS = [
    {"factor_b": 60.714286, "delta_b": 0.003585, "b": 3.805938, "z": 150.000077, "delta_z": 0.000077},
    {"factor_b": 60.671261, "delta_b": 0.000001, "b": 3.805937, "z": 150.0, "delta_z": 0.0},
]


def 正向计算(w, b):
    x = 2 * w + 3 * b
    y = 2 * b + 1
    return x, y, x * y


# 练习三: 同时改变 w 和 b, 每次重新计算贡献值
def double_variable_new(w, b, t):
    print("双变量 (新): w, b -----")
    误差 = 1e-5
    while True:
        x, y, z = 正向计算(w, b)
        delta_z = z - t
        print("w=%f,b=%f,z=%f,delta_z=%f" % (w, b, z, delta_z))
        if abs(delta_z) < 误差:
            break
        factor_b = 2 * x + 3 * y
        factor_w = 2 * y
        delta_b = delta_z / factor_b / 2   # 一半的误差给 b
        delta_w = delta_z / factor_w / 2   # 另一半给 w
        print("factor_b=%f, factor_w=%f, delta_b=%f, delta_w=%f" % (factor_b, factor_w, delta_b, delta_w))
        b = b - delta_b
        w = w - delta_w
    print("完成!")
    print("final b=%f" % b)
    print("final w=%f" % w)


if __name__ == "__main__":
    double_variable_new(3, 4, 150)
