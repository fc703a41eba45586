"""Code answers judged by what they compute, written the ways people write them:
functional activations, another concatenation order, a network built at top
level or by a function, torchvision, code written for a GPU."""
import textwrap

import pytest
import yaml

from conftest import ROOT

HONEST_41 = yaml.safe_load((ROOT / "answers/csc413-a2/chatgpt-reviewed.yaml").read_text())["answers"][4.1]["answer"]

FUNCTIONAL_41 = """
class PoolUpsampleNet(nn.Module):
    def __init__(self, kernel, num_filters, num_colours, num_in_channels):
        super().__init__()
        p, nf, nc = kernel // 2, num_filters, num_colours
        self.c1, self.b1 = nn.Conv2d(num_in_channels, nf, kernel, padding=p), nn.BatchNorm2d(nf)
        self.c2, self.b2 = nn.Conv2d(nf, 2 * nf, kernel, padding=p), nn.BatchNorm2d(2 * nf)
        self.c3, self.b3 = nn.Conv2d(2 * nf, nf, kernel, padding=p), nn.BatchNorm2d(nf)
        self.c4, self.b4 = nn.Conv2d(nf, nc, kernel, padding=p), nn.BatchNorm2d(nc)
        self.out = nn.Conv2d(nc, nc, kernel, padding=p)

    def forward(self, x):
        x = F.relu(self.b1(F.max_pool2d(self.c1(x), 2)))
        x = torch.relu(self.b2(F.max_pool2d(self.c2(x), 2)))
        x = F.relu(self.b3(F.interpolate(self.c3(x), scale_factor=2)))
        x = F.relu(self.b4(F.interpolate(self.c4(x), scale_factor=2)))
        return self.out(x)
"""


def model_result(grade_yaml, set_name, pid, source, part="model"):
    body = textwrap.indent(textwrap.dedent(source), "      ")
    report = grade_yaml(f"set: {set_name}\nanswers:\n  {pid}:\n    {part}: |\n{body}\n")
    return next(r for r in report.results if r.part == part and r.problem == f"{set_name}/{pid}")


def test_functional_activations_are_as_right_as_modules(grade_yaml):
    """The layer trace differs (no ReLU modules): the verdict rests on behaviour, the trace is feedback."""
    result = model_result(grade_yaml, "csc413-a2", "4.1", FUNCTIONAL_41)
    assert result.verdict == "correct", result.feedback
    assert any("written differently" in note for note in result.notes) or all(
        row["status"] == "same" for row in result.details["diff"])


def test_a_missing_layer_is_wrong_and_named(grade_yaml):
    wrong = FUNCTIONAL_41.replace("x = F.relu(self.b4(F.interpolate(self.c4(x), scale_factor=2)))",
                                  "x = F.relu(F.interpolate(self.c4(x), scale_factor=2))")
    result = model_result(grade_yaml, "csc413-a2", "4.1", wrong)
    assert result.verdict == "incorrect"
    assert "differs from the reference's" in result.feedback or "BatchNorm2d" in result.feedback


def test_a_wrong_stride_with_the_right_shapes_is_caught_by_behaviour(grade_yaml):
    """Same parameters, same shapes, a different function: average pooling where max pooling belongs."""
    wrong = FUNCTIONAL_41.replace("F.max_pool2d(self.c1(x), 2)", "F.avg_pool2d(self.c1(x), 2)")
    result = model_result(grade_yaml, "csc413-a2", "4.1", wrong)
    assert result.verdict == "incorrect" and "output differs" in result.feedback


UNET_SWAPPED = """
class UNet(nn.Module):
    def __init__(self, kernel, num_filters, num_colours, num_in_channels):
        super().__init__()
        nf, nc = num_filters, num_colours
        def down(i, o):
            return nn.Sequential(nn.Conv2d(i, o, kernel, stride=2, padding=1), nn.BatchNorm2d(o), nn.ReLU())
        def up(i, o):
            return nn.Sequential(nn.ConvTranspose2d(i, o, kernel, stride=2, padding=1, output_padding=1),
                                 nn.BatchNorm2d(o), nn.ReLU())
        self.d1, self.d2 = down(num_in_channels, nf), down(nf, 2 * nf)
        self.u1, self.u2 = up(2 * nf, nf), up(2 * nf, nc)
        self.final = nn.Conv2d(nc + num_in_channels, nc, kernel, padding=kernel // 2)

    def forward(self, x):
        a = self.d1(x)
        c = self.u1(self.d2(a))
        d = self.u2(torch.cat([a, c], dim=1))          # the reference joins (c, a)
        return self.final(torch.cat([x, d], dim=1))    # and (d, x)
"""


def test_skip_connections_joined_in_another_order_are_the_same_network(grade_yaml):
    assert model_result(grade_yaml, "csc413-a2", "6.1", UNET_SWAPPED).verdict == "correct"


def test_a_skip_connection_from_the_wrong_block_is_not(grade_yaml):
    wrong = UNET_SWAPPED.replace("torch.cat([a, c], dim=1)", "torch.cat([c, c], dim=1)")
    assert model_result(grade_yaml, "csc413-a2", "6.1", wrong).verdict == "incorrect"


@pytest.mark.parametrize("source", [
    "model = nn.Sequential(nn.Flatten(), nn.Linear(784, 60), nn.ReLU(), nn.Linear(60, 10))",
    "def build():\n    return nn.Sequential(nn.Flatten(), nn.Linear(784, 60), nn.ReLU(), nn.Linear(60, 10))",
])
def test_a_network_built_at_top_level_or_by_a_function(grade_yaml, source):
    result = model_result(grade_yaml, "dl-principles", "2c", source)
    assert result.verdict == "correct", result.feedback


def test_the_seeds_torchvision_resnet_is_judged_not_refused(grade_yaml):
    """Seed 002 p8: a pretrained torchvision ResNet-18 moved to the GPU. The sandbox stands in for
    torchvision (random weights) and for the GPU; the answer is wrong because its head has 1000 outputs."""
    source = ("import torchvision\ndevice = torch.device('cuda:0' if torch.cuda.is_available() else 'cpu')\n"
              "net = torchvision.models.resnet18(pretrained=True)\nnet = net.cuda() if device else net\n")
    result = model_result(grade_yaml, "islr-cnn-hw", "p8", source)
    assert result.verdict == "incorrect" and "output shape [1000], expected [10]" in result.feedback
    assert "stand-ins" in result.notes[0] and "random weights" in result.notes[0]
    fixed = source + "net.fc = nn.Linear(512, 10)\n"
    assert model_result(grade_yaml, "islr-cnn-hw", "p8", fixed).verdict == "correct"


def test_a_plain_cnn_is_not_a_resnet(grade_yaml):
    plain = ("model = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 16, 3, padding=1),\n"
             "                      nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10))\n")
    result = model_result(grade_yaml, "islr-cnn-hw", "p8", plain)
    assert result.verdict == "incorrect" and "no skip connection" in result.feedback


def test_the_codes_own_error_is_incorrect_with_its_line(grade_yaml):
    source = "def forward_batchnorm(Z, gamma, beta, eps, cache_dict, beta_avg, mode):\n    return X * gamma\n"
    result = model_result(grade_yaml, "islr-cnn-hw", "p11b", source, part="forward_batchnorm")
    assert result.verdict == "incorrect" and "NameError" in result.feedback and "line 2" in result.feedback
