module zke.lab/pause

go 1.24
