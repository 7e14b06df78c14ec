module example.com/shopapi

go 1.27
