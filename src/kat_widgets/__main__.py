from kat_widgets.cli import main

raise SystemExit(main())
