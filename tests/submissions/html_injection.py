# Hostile to the HTML report: markup and scripts in the answer, the table and the printed trace.
# Everything here must show up as text, escaped, never as markup.
DZ_DB = "<script>document.title='pwned'</script>"

HAND_ITERATIONS = [
    {"factor_b": 60.714286, "delta_b": 0.003585, "b": 3.805938, "z": 150.000077,
     "delta_z": 0.000077},
    {"factor_b": "<img src=x onerror=\"document.title='pwned'\">", "delta_b": 0.000001,
     "b": 3.805937, "z": 150.0, "delta_z": 0.0},
]


def target_function(w, b):
    x = 2 * w + 3 * b
    y = 2 * b + 1
    z = x * y
    return x, y, z


def double_variable_new(w, b, t):
    print("<script>document.title='pwned'</script> [bold red]not rich markup[/bold red]")
    print("</pre></td></tr></table><h1 id='injected'>injected heading</h1>")
    error = 1e-5
    while True:
        x, y, z = target_function(w, b)
        delta_z = z - t
        print("<b>w=%f</b>,b=%f,z=%f,delta_z=%f" % (w, b, z, delta_z))
        if abs(delta_z) < error:
            break
        factor_b = 63
        factor_w = 18
        delta_b = delta_z / factor_b / 2
        delta_w = delta_z / factor_w / 2
        print("factor_b=%f, factor_w=%f, delta_b=%f, delta_w=%f" % (factor_b, factor_w, delta_b, delta_w))
        b = b - delta_b
        w = w - delta_w
    print("done! <style>body{display:none}</style>")
    print("final b=%f" % b)
    print("final w=%f" % w)
