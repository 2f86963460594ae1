"""`python -m tb_plugin_spectro.demo LOGDIR`: writes the demo logdir."""

import sys

from tb_plugin_spectro.demo import main

sys.exit(main())
