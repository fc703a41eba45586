"""convnets-hw3 q3a: output shapes and parameters per layer of a Keras-style CNN.

Worked solution: build the same layers in torch ('valid' padding, biases on)
and read each layer's output shape (channels last, as Keras prints it) and
its parameter count; the total is their sum. Variants derived the same way:
the list of only the layers that have parameters, and the total without biases."""
from dlcheck.nnkit.layers import build, table
from dlcheck.reference import Reference


def solve(given):
    layers = build(given["layers"], given["input"], dims=len(given["input"]) - 1)
    rows = table(layers, given["input"])
    params = [p for _, _, p in rows]
    weights_only = sum(sum(p.numel() for n, p in m.named_parameters() if n == "weight") for _, m in layers)
    listing = "; ".join(f"{name} → {'×'.join(map(str, shape))}, {p:,}" for name, shape, p in rows)
    out = {
        "params": Reference(params, [listing], rules={"weighted_layers_only": [p for p in params if p]}),
        "total_params": Reference(sum(params), [" + ".join(str(p) for p in params if p) + f" = {sum(params):,}"],
                                  rules={"no_bias": weights_only}),
    }
    out["shapes"] = Reference([list(shape) for _, shape, _ in rows], [listing])
    return out
