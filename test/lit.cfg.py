# Lit configuration of Loom's regression tests.
import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "Loom"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.loom_obj_root, "test")
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py", "lit.site.cfg.py", "Inputs"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%loom_src", config.loom_src_root))
# scripts/sanitize.sh scales the per-input time limits of the contract checks.
if "LOOM_TIMEOUT_SCALE" in os.environ:
    config.environment["LOOM_TIMEOUT_SCALE"] = os.environ["LOOM_TIMEOUT_SCALE"]

llvm_config.use_default_substitutions()
# Loom's own tools first, then FileCheck, not, count from LLVM 22.
llvm_config.with_environment("PATH", config.loom_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tools = [ToolSubst("loom-opt", unresolved="fatal"),
         ToolSubst("loom-translate", unresolved="fatal"),
         ToolSubst("loomc", unresolved="fatal")]
llvm_config.add_tool_substitutions(tools, [config.loom_tools_dir])

# Python test tooling lives in the repository's .venv (scripts/install-deps.sh):
# tests that need ONNX Runtime, pip's onnx or PyTorch declare REQUIRES and are
# reported UNSUPPORTED, with this reason, where it is missing.
import subprocess

venv_python = os.path.join(config.loom_src_root, ".venv", "bin", "python")
config.substitutions.append(("%venv_python", venv_python))
config.substitutions.append(("%scripts", os.path.join(config.loom_src_root, "scripts")))
config.substitutions.append(("%onnx_testdata", "/usr/share/libonnx-testdata/data"))


def probe(module):
    if not os.path.exists(venv_python):
        return False
    return subprocess.run([venv_python, "-c", "import " + module],
                          capture_output=True).returncode == 0


config.substitutions.append(("%loom_bin", config.loom_tools_dir))
# Generated test data kept between runs (the ONNX zoo's exported models).
config.substitutions.append(("%loom_build", config.loom_obj_root))
for feature, module in (("onnxruntime", "onnxruntime, onnx"), ("torch", "torch"),
                        ("rapidocr", "rapidocr")):
    if probe(module):
        config.available_features.add(feature)
    else:
        lit_config.note("'%s' not importable from %s: tests that need it are "
                        "UNSUPPORTED" % (module, venv_python))
if getattr(config, "loom_torchscript", "OFF") in ("ON", "1", "TRUE"):
    config.available_features.add("torchscript")
else:
    lit_config.note("this build has no TorchScript import (libtorch missing or "
                    "LOOM_ENABLE_TORCHSCRIPT=OFF): its tests are UNSUPPORTED")
# The CUDA target needs ptxas (the CUDA toolkit) to build; running its
# libraries needs a GPU, which CI never has.
cuda_home = next((d for d in (os.environ.get("CUDA_HOME"), os.environ.get("CUDA_ROOT"),
                              "/usr/local/cuda")
                  if d and os.access(os.path.join(d, "bin", "ptxas"), os.X_OK)), None)
if cuda_home:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", os.path.join(cuda_home, "bin", "ptxas")))
else:
    lit_config.note("no CUDA toolkit (bin/ptxas under CUDA_HOME, CUDA_ROOT or "
                    "/usr/local/cuda): the CUDA target's tests are UNSUPPORTED")
if subprocess.run("nvidia-smi -L", shell=True, capture_output=True).returncode == 0:
    config.available_features.add("cuda-gpu")
else:
    lit_config.note("no NVIDIA GPU here (nvidia-smi -L fails): tests that run "
                    "CUDA libraries are UNSUPPORTED; scripts/gpu-check.sh runs "
                    "them on a GPU machine")
if os.path.isdir("/usr/share/libonnx-testdata/data/node"):
    config.available_features.add("onnx-testdata")
else:
    lit_config.note("libonnx-testdata is not installed: the conformance test "
                    "is UNSUPPORTED")
