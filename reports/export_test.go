package reports

// SecondTicks is the time axis's ticker, for tests.
var SecondTicks = secondTicks
