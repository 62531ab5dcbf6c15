"""Long-running parts of the official pages: the duties' clocks and the weekly quota."""
