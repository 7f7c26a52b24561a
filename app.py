"""Entry point: the app shell (page config, language, sign-in, navigation over app_pages/)."""

from data_sources.memory import use_system_allocator
from ui.shell import run_app

# Streamlit runs this file as __main__; a multiprocessing child that imports the parent's main
# module sees it as __mp_main__ and must not start the app.
if __name__ == "__main__":
    use_system_allocator()
    run_app()
