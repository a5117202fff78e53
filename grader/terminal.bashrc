# JupyterLab terminals of `make lab` (grader/jupyter_server_config.py): the user's own bash
# set-up, then this venv first on PATH, starting in the learner's workspace.
[ -f "$HOME/.bashrc" ] && . "$HOME/.bashrc"
if [ -n "$MONITORLAB_VENV_BIN" ]; then
    export PATH="$MONITORLAB_VENV_BIN:$PATH"
fi
if [ -n "$MONITORLAB_ROOT" ] && [ "$PWD" = "$MONITORLAB_ROOT" ] && [ -d "$MONITORLAB_ROOT/workspace" ]; then
    cd "$MONITORLAB_ROOT/workspace"
fi
echo "MonitorLab terminal: python is $(command -v python). Check a lab: python -m grader selfcheck labs/lab01_data_capture/lab01_data_capture.ipynb"
