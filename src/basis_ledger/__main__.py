from basis_ledger.cli import main

main()
