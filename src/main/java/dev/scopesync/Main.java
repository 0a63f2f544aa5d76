package dev.scopesync;
public class Main { public static void main(String[] a){} }
